// Throughput of HotswapCore's SHA-256 on one in-memory buffer; compiled together with
// Sources/HotswapCore/SHA256.swift by sha256_throughput.sh (release, -O).
#if canImport(Glibc)
import Glibc
#endif

let megabytes = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 256 : 256
let rounds = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 3 : 3
var generator = SystemRandomNumberGenerator()
var bytes = [UInt8](repeating: 0, count: megabytes << 20)
for index in stride(from: 0, to: bytes.count, by: 8) {
  let value = generator.next() as UInt64
  withUnsafeBytes(of: value) { word in
    for offset in 0..<min(8, bytes.count - index) { bytes[index + offset] = word[offset] }
  }
}
func threadCPUSeconds() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

var best = Double.infinity
var digest = ""
for _ in 0..<rounds {
  // CPU time of this thread, not wall time: the machine is shared, and the hash is pure CPU work.
  let start = threadCPUSeconds()
  digest = SHA256.hexDigest(of: bytes)
  best = min(best, threadCPUSeconds() - start)
}
print("\(digest) \(megabytes) MiB best of \(rounds): \(Double(megabytes) / best) MiB/s")
