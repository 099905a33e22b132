#!/usr/bin/env python3
"""gRPC vs REST throughput and latency on hotswap's one port, in the same run.

h2load (Debian nghttp2-client) drives unary gRPC Predict (hotswap.v1.PredictionService) and
ModelInfer (inference.GRPCInferenceService) at 64 concurrent streams, on 1 and on 4 HTTP/2
connections (--grpc-connections); wrk drives REST /predict at 64 connections. They alternate for
--rounds rounds against one release-built server; each figure is the median over the rounds.
Then the seeds' client path: the p50 of 1 000 sequential grpcio Predict calls against the p50 of
1 000 sequential Python http.client POST /predict. With --allocations, a preloaded counter
(alloc_counter.c) counts the heap allocations per call (gRPC Predict, REST /predict) of the same
binary, and of --baseline-bin if given (the build before a change). h2load counts HTTP 200 as success, and a gRPC error is also
an HTTP 200 (the status travels in trailers), so before measuring, the exact request bodies are
sent once with a real gRPC client (grpcio) and must come back with status OK and a valid answer.

Two reference servers (bench/grpc/reference, the `grpc-reference` product) answer the same Predict
call with no model behind it, measured in the same rounds: `grpc-swift` is grpc-swift-2 with the
transport configured as hotswap configures it, so hotswap / grpc-swift is hotswap's own overhead on
top of the library; `nio-http2` answers each stream synchronously on swift-nio-http2, the cost of
the HTTP/2 layer alone.

Writes bench/results/grpc.json and prints a table. Targets (the gRPC issue): Predict on one
connection >= 70 % of REST's requests/s and >= 90 % of the nio-http2 reference, p99 < 5 ms at 64
streams, grpcio's single-call p50 below http.client's.
"""

import argparse
import json
import pathlib
import platform
import re
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[2]
ROW = [5.1, 3.5, 1.4, 0.2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def grpc_frame(message: bytes) -> bytes:
    """One length-prefixed gRPC message (uncompressed)."""
    return b"\x00" + struct.pack(">I", len(message)) + message


def predict_message() -> bytes:
    """hotswap.v1.PredictRequest{features = ROW}: field 1, packed floats."""
    packed = struct.pack("<4f", *ROW)
    return b"\x0a" + bytes([len(packed)]) + packed


def model_infer_message() -> bytes:
    """inference.ModelInferRequest for one iris row in raw_input_contents, as tritonclient sends it."""
    from tritonclient.grpc import service_pb2

    request = service_pb2.ModelInferRequest(model_name="iris")
    tensor = request.inputs.add()
    tensor.name = "X"
    tensor.datatype = "FP32"
    tensor.shape.extend([1, 4])
    request.raw_input_contents.append(struct.pack("<4f", *ROW))
    return request.SerializeToString()


def check_reference(address: str, predict: bytes) -> None:
    """The reference servers' Predict answer, with grpcio: status OK, the feature count echoed."""
    import grpc

    with grpc.insecure_channel(address) as channel:
        answer = channel.unary_unary("/hotswap.v1.PredictionService/Predict")(predict, timeout=10)
        echoed_count = b"\x08" + bytes([len(ROW)])  # field 1 (prediction), varint: the feature count
        if not answer.startswith(echoed_count) or b"reference" not in answer:
            raise SystemExit(f"reference Predict spot check failed on {address}: {answer!r}")


def wait_ready(process: subprocess.Popen, name: str, probe) -> None:
    """Polls `probe` (True when ready; OSError counts as not yet) for up to 60 s while `process` runs."""
    deadline = time.monotonic() + 60
    while True:
        try:
            if probe():
                return
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit(f"{name} did not become ready")
        time.sleep(0.1)


def port_open(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


def hotswap_ready(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/health/ready", timeout=1) as response:
        return response.status == 200


def check_with_real_client(address: str, predict: bytes, infer: bytes) -> None:
    """Sends the benchmark's exact bodies with grpcio; both must succeed with a sane answer."""
    import grpc
    from tritonclient.grpc import service_pb2

    with grpc.insecure_channel(address) as channel:
        raw = channel.unary_unary("/hotswap.v1.PredictionService/Predict")
        answer = raw(predict, timeout=10)
        if b"v1." not in answer:  # model_version; prediction 0 (setosa) is the proto3 default, not sent
            raise SystemExit(f"Predict spot check failed: {answer!r}")
        raw_infer = channel.unary_unary(
            "/inference.GRPCInferenceService/ModelInfer",
            response_deserializer=service_pb2.ModelInferResponse.FromString,
        )
        response = raw_infer(infer, timeout=10)
        if len(response.raw_output_contents) != 2 or struct.unpack("<q", response.raw_output_contents[0])[0] != 0:
            raise SystemExit(f"ModelInfer spot check failed: {response}")


def percentile(sorted_values, fraction):
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used so far, from /proc."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / __import__("os").sysconf("SC_CLK_TCK")


def run_h2load(port: int, path: str, body: pathlib.Path, requests: int, streams: int, connections: int, log: pathlib.Path,
               pid: int):
    command = [
        "h2load", "-n", str(requests), "-c", str(connections), "-m", str(streams // connections),
        "--header=content-type: application/grpc", "--header=te: trailers",
        "-d", str(body), f"--log-file={log}", f"http://127.0.0.1:{port}{path}",
    ]
    cpu_before = cpu_seconds(pid)
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    cpu = cpu_seconds(pid) - cpu_before
    rps = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out).group(1))
    done = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored", out)
    succeeded, failed, errored = int(done.group(3)), int(done.group(4)), int(done.group(5))
    latencies = sorted(int(line.split("\t")[2]) for line in log.read_text().splitlines() if line.strip())
    return {
        "requests_per_second": rps,
        "succeeded": succeeded,
        "failed": failed + errored,
        "p50_ms": percentile(latencies, 0.50) / 1000,
        "p99_ms": percentile(latencies, 0.99) / 1000,
        "server_cpu_us_per_call": cpu / max(succeeded, 1) * 1e6,
    }


def run_wrk(port: int, seconds: int, connections: int, script: pathlib.Path, pid: int):
    command = [
        "wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", "-s", str(script),
        f"http://127.0.0.1:{port}/predict",
    ]
    cpu_before = cpu_seconds(pid)
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    cpu = cpu_seconds(pid) - cpu_before

    def ms(label):
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = (int(errors.group(1)) if errors else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "requests_per_second": rps, "failed": failed, "p50_ms": ms("50%"), "p99_ms": ms("99%"),
        "server_cpu_us_per_call": cpu / max(total, 1) * 1e6,
    }


def median_of(results):
    keys = ["requests_per_second", "p50_ms", "p99_ms", "server_cpu_us_per_call"]
    merged = {key: statistics.median(r[key] for r in results) for key in keys}
    merged["failed"] = sum(r["failed"] for r in results)
    merged["rounds"] = results
    return merged


def single_call_latency(port: int, calls: int, reference_port: int) -> dict:
    """p50/p99 of `calls` sequential calls, one at a time, as the seeds' clients make them: grpcio
    Predict on one channel, and Python http.client POST /predict on one keep-alive connection. The
    same grpcio calls against the nio-http2 reference (no model, answered on the event loop) show
    how much of grpcio's time is the client's own."""
    import http.client

    import grpc

    def summary(samples):
        samples.sort()
        return {"p50_ms": percentile(samples, 0.5) * 1000, "p99_ms": percentile(samples, 0.99) * 1000, "calls": calls}

    def grpcio_samples(target_port: int) -> list[float]:
        with grpc.insecure_channel(f"127.0.0.1:{target_port}") as channel:
            predict = channel.unary_unary("/hotswap.v1.PredictionService/Predict")
            for _ in range(100):
                predict(predict_message(), timeout=10)
            samples = []
            for _ in range(calls):
                started = time.perf_counter()
                predict(predict_message(), timeout=10)
                samples.append(time.perf_counter() - started)
            return samples

    grpc_samples = grpcio_samples(port)
    reference_samples = grpcio_samples(reference_port)
    body = json.dumps({"features": ROW})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for _ in range(100):
        conn.request("POST", "/predict", body, {"Content-Type": "application/json"})
        conn.getresponse().read()
    rest_samples = []
    for _ in range(calls):
        started = time.perf_counter()
        conn.request("POST", "/predict", body, {"Content-Type": "application/json"})
        conn.getresponse().read()
        rest_samples.append(time.perf_counter() - started)
    conn.close()
    grpc_result, rest_result = summary(grpc_samples), summary(rest_samples)
    return {
        "grpcio_predict": grpc_result, "http_client_rest_predict": rest_result,
        "grpcio_predict_nio_http2_reference": summary(reference_samples),
        "meets_target": grpc_result["p50_ms"] < rest_result["p50_ms"],
    }


def count_allocations(binary: str, config: pathlib.Path, work: pathlib.Path, predict_body: pathlib.Path) -> dict:
    """Heap allocations per call, counted by bench/grpc/alloc_counter.c preloaded into the server:
    it runs three times — 200 gRPC + 200 REST calls, 2 200 + 200, 200 + 2 200, each one call at a
    time with h2load — and the difference in its total allocations, divided by 2 000, is the count
    per call. Start-up, model loading, warm-up and shutdown cancel out."""
    counter = work / "alloc_counter.so"
    if not counter.exists():
        subprocess.run(
            ["gcc", "-O2", "-shared", "-fPIC", "-o", str(counter), str(REPO / "bench/grpc/alloc_counter.c")],
            check=True,
        )

    def total_allocations(grpc_calls: int, rest_calls: int) -> int:
        port = free_port()
        count_file = work / f"allocations-{grpc_calls}-{rest_calls}.txt"
        count_file.unlink(missing_ok=True)
        server = subprocess.Popen(
            [binary, "serve", "--config", str(config), "--listen", f"127.0.0.1:{port}", "--log-level", "warning",
             "--no-metrics"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**__import__("os").environ, "LD_PRELOAD": str(counter), "ALLOC_COUNT_FILE": str(count_file)},
        )
        try:
            wait_ready(server, "hotswap (counting allocations)", lambda: hotswap_ready(port))
            if grpc_calls:
                subprocess.run(
                    ["h2load", "-n", str(grpc_calls), "-c", "1", "-m", "1", "--header=content-type: application/grpc",
                     "--header=te: trailers", "-d", str(predict_body),
                     f"http://127.0.0.1:{port}/hotswap.v1.PredictionService/Predict"],
                    check=True, capture_output=True,
                )
            if rest_calls:
                rest_body = work / "rest.json"
                rest_body.write_text(json.dumps({"features": ROW}))
                subprocess.run(
                    ["h2load", "--h1", "-n", str(rest_calls), "-c", "1", "-m", "1",
                     "--header=content-type: application/json", "-d", str(rest_body), f"http://127.0.0.1:{port}/predict"],
                    check=True, capture_output=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=60)
        if not count_file.exists():
            raise SystemExit(f"{binary} wrote no allocation count (did it exit cleanly?)")
        return int(count_file.read_text())

    counts = {}
    for name, grpc_calls, rest_calls in [("base", 200, 200), ("grpc", 2200, 200), ("rest", 200, 2200)]:
        counts[name] = statistics.median(total_allocations(grpc_calls, rest_calls) for _ in range(3))
    return {
        "grpc_predict_per_call": (counts["grpc"] - counts["base"]) / 2000,
        "rest_predict_per_call": (counts["rest"] - counts["base"]) / 2000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", help="hotswap binary (default: release build in --scratch-path)")
    parser.add_argument("--reference-bin", help="grpc-reference binary (default: next to the hotswap binary)")
    parser.add_argument("--scratch-path", default="/tmp/build-grpc", help="swift build scratch path for the release build")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=100_000, help="h2load requests per gRPC run")
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per REST run")
    parser.add_argument("--streams", type=int, default=64, help="concurrent gRPC streams (h2load -m x -c)")
    parser.add_argument("--grpc-connections", default="1,4", help="HTTP/2 connections carrying the streams, comma-separated")
    parser.add_argument("--rest-connections", type=int, default=64)
    parser.add_argument("--latency-calls", type=int, default=1000, help="sequential calls for the single-call latency (0: skip)")
    parser.add_argument("--allocations", action="store_true", help="count heap allocations per call (alloc_counter.c)")
    parser.add_argument("--baseline-bin", help="with --allocations: also count those of this binary (e.g. the build before)")
    parser.add_argument("--out", default=str(REPO / "bench/results/grpc.json"))
    args = parser.parse_args()
    connection_counts = [int(count) for count in args.grpc_connections.split(",")]

    for tool in ("h2load", "wrk"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: apt-get install -y nghttp2-client wrk")
    binary = args.bin
    if not binary:
        for product in ("hotswap", "grpc-reference"):
            subprocess.run(
                ["swift", "build", "-c", "release", "--product", product, "--scratch-path", args.scratch_path],
                cwd=REPO, check=True,
            )
        binary = str(pathlib.Path(args.scratch_path) / "release" / "hotswap")
    reference_binary = args.reference_bin or str(pathlib.Path(binary).parent / "grpc-reference")
    if not pathlib.Path(reference_binary).exists():
        raise SystemExit(f"{reference_binary} is missing: swift build -c release --product grpc-reference")

    work = pathlib.Path(tempfile.mkdtemp(prefix="hotswap-bench-grpc-"))
    models = REPO / "models" / "iris"
    config = work / "active.toml"
    config.write_text(
        '[server]\nlisten = "127.0.0.1:0"\nmodel_name = "iris"\n\n'
        f'[slots.blue]\nmodel = "{models}/v1.0.0/model.onnx"\n\n[slots.green]\nmodel = "{models}/v1.1.0/model.onnx"\n\n'
        "[traffic]\nblue = 90\ngreen = 10\n"
    )
    predict_body = work / "predict.bin"
    predict_body.write_bytes(grpc_frame(predict_message()))
    infer_body = work / "infer.bin"
    infer_body.write_bytes(grpc_frame(model_infer_message()))
    lua = work / "post.lua"
    lua.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = '{json.dumps({'features': ROW})}'\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    port = free_port()
    server = subprocess.Popen(
        [binary, "serve", "--config", str(config), "--listen", f"127.0.0.1:{port}", "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    references = {}
    for stack in ("grpc-swift", "nio-http2"):
        reference_port = free_port()
        references[stack] = (reference_port, subprocess.Popen(
            [reference_binary, stack, str(reference_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))
    rounds = {"rest_predict": []}
    for connections in connection_counts:
        suffix = "" if connections == 1 else f"_{connections}_connections"
        for name in ("grpc_predict", "grpc_model_infer", "reference_grpc_swift_predict", "reference_nio_http2_predict"):
            rounds[name + suffix] = []
    latency = None
    try:
        for stack, (reference_port, process) in references.items():
            wait_ready(process, f"grpc-reference {stack}", lambda: port_open(reference_port))
            check_reference(f"127.0.0.1:{reference_port}", predict_message())
        wait_ready(server, "hotswap", lambda: hotswap_ready(port))
        check_with_real_client(f"127.0.0.1:{port}", predict_message(), model_infer_message())

        for index in range(args.rounds):
            rounds["rest_predict"].append(run_wrk(port, args.seconds, args.rest_connections, lua, server.pid))
            for connections in connection_counts:
                suffix = "" if connections == 1 else f"_{connections}_connections"

                def h2(target_port, pid, path, body, label):
                    return run_h2load(target_port, path, body, args.requests, args.streams, connections,
                                      work / f"{label}-{connections}-{index}.log", pid)

                rounds["grpc_predict" + suffix].append(
                    h2(port, server.pid, "/hotswap.v1.PredictionService/Predict", predict_body, "predict"))
                rounds["grpc_model_infer" + suffix].append(
                    h2(port, server.pid, "/inference.GRPCInferenceService/ModelInfer", infer_body, "infer"))
                for stack, (reference_port, process) in references.items():
                    rounds[f"reference_{stack.replace('-', '_')}_predict" + suffix].append(
                        h2(reference_port, process.pid, "/hotswap.v1.PredictionService/Predict", predict_body, stack))
        check_with_real_client(f"127.0.0.1:{port}", predict_message(), model_infer_message())
        if args.latency_calls:
            latency = single_call_latency(port, args.latency_calls, references["nio-http2"][0])
    finally:
        for process in [server] + [process for _, process in references.values()]:
            process.terminate()
            process.wait(timeout=20)

    allocations = None
    if args.allocations:
        allocations = {"hotswap": count_allocations(binary, config, work, predict_body)}
        if args.baseline_bin:
            allocations["baseline"] = count_allocations(args.baseline_bin, config, work, predict_body)

    results = {name: median_of(values) for name, values in rounds.items()}
    rest_rps = results["rest_predict"]["requests_per_second"]
    for name, result in results.items():
        if name == "rest_predict":
            continue
        result["ratio_to_rest"] = result["requests_per_second"] / rest_rps
        result["meets_target"] = result["ratio_to_rest"] >= 0.7 and result["p99_ms"] < 5
    for connections in connection_counts:
        suffix = "" if connections == 1 else f"_{connections}_connections"
        bare = results["reference_grpc_swift_predict" + suffix]["requests_per_second"]
        nio = results["reference_nio_http2_predict" + suffix]["requests_per_second"]
        for name in ("grpc_predict", "grpc_model_infer"):
            results[name + suffix]["ratio_to_grpc_swift_reference"] = results[name + suffix]["requests_per_second"] / bare
            results[name + suffix]["ratio_to_nio_http2_reference"] = results[name + suffix]["requests_per_second"] / nio
    predict = results["grpc_predict"]
    targets = {
        "predict_vs_rest_one_connection": predict["ratio_to_rest"] >= 0.7,
        "predict_vs_nio_http2_reference": predict["ratio_to_nio_http2_reference"] >= 0.9,
        "p99_under_5ms_at_64_streams": predict["p99_ms"] < 5,
    }
    if latency:
        targets["grpcio_single_call_below_http_client"] = latency["meets_target"]
    document = {
        "tool": "bench/grpc/bench_grpc.py",
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": __import__("os").cpu_count(), "platform": platform.platform()},
        "settings": {
            "rounds": args.rounds, "grpc_requests": args.requests, "rest_seconds": args.seconds,
            "grpc_streams": args.streams, "grpc_connections": connection_counts,
            "rest_connections": args.rest_connections, "traffic": "blue 90 / green 10",
        },
        "results": results,
        "single_call_latency": latency,
        "allocations": allocations,
        "targets": targets,
    }
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"{'run':<48}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'failed':>8}{'vs REST':>9}{'CPU µs/call':>13}")
    for name, result in results.items():
        ratio = result.get("ratio_to_rest")
        print(
            f"{name:<48}{result['requests_per_second']:>10.0f}{result['p50_ms']:>9.2f}{result['p99_ms']:>9.2f}"
            f"{result['failed']:>8}{'' if ratio is None else f'{ratio:>8.0%}':>9}"
            f"{result['server_cpu_us_per_call']:>13.1f}"
        )
    print(
        f"hotswap gRPC Predict = {predict['ratio_to_rest']:.0%} of REST, "
        f"{predict['ratio_to_nio_http2_reference']:.0%} of the nio-http2 reference, "
        f"{predict['ratio_to_grpc_swift_reference']:.0%} of bare grpc-swift-2 "
        f"(ModelInfer {results['grpc_model_infer']['ratio_to_grpc_swift_reference']:.0%}); "
        f"bare grpc-swift-2 = {results['reference_grpc_swift_predict']['ratio_to_rest']:.0%} of REST; "
        f"swift-nio-http2 reference = {results['reference_nio_http2_predict']['ratio_to_rest']:.0%} of REST"
    )
    if latency:
        print(
            f"single call p50: grpcio {latency['grpcio_predict']['p50_ms']:.3f} ms, "
            f"http.client {latency['http_client_rest_predict']['p50_ms']:.3f} ms; "
            f"grpcio against the nio-http2 reference {latency['grpcio_predict_nio_http2_reference']['p50_ms']:.3f} ms"
        )
    if allocations:
        for label, counts in allocations.items():
            print(
                f"allocations per call ({label}): gRPC Predict {counts['grpc_predict_per_call']:.1f}, "
                f"REST /predict {counts['rest_predict_per_call']:.1f}"
            )
    print("targets: " + ", ".join(f"{name} {'met' if met else 'MISSED'}" for name, met in targets.items()))
    print(f"wrote {out}")


if __name__ == "__main__":
    sys.exit(main())
