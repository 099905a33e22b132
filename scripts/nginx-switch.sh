#!/usr/bin/env bash
# Moves traffic between the blue and the green process of the nginx compose variant
# (`docker compose --profile nginx up`), like the seed systems' switch.sh: health-check the slots
# that will get traffic, back up conf/nginx/upstreams.conf, change the weights, `nginx -t`,
# reload, verify through the balancer, log. A failed test, reload or verification restores the
# previous weights. scripts/nginx-rollback.sh undoes the last switch.
#
#   scripts/nginx-switch.sh                 # 100 % to the slot that has no traffic now
#   scripts/nginx-switch.sh green           # 100 % to green
#   scripts/nginx-switch.sh green 10        # canary: green 10 %, blue 90 %
#
# Environment (the defaults fit docker-compose.yml: its port variables, from the environment or
# from the .env file beside it, as compose reads them; a variable may be PORT or ADDRESS:PORT):
#   COMPOSE          the compose command: `docker compose` when a Docker engine answers, else
#                    `podman-compose` when installed
#   NGINX_CONF_DIR   folder with nginx.conf and upstreams.conf        (conf/nginx)
#   NGINX_CTL        command that runs nginx; gets `-t` or `-s reload` appended
#                    ($COMPOSE -f docker-compose.yml --profile nginx exec -T nginx
#                     nginx -c /etc/nginx/hotswap/nginx.conf)
#   BLUE_URL         blue process, direct          (http://127.0.0.1:$HOTSWAP_BLUE_PORT, port 8001)
#   GREEN_URL        green process, direct         (http://127.0.0.1:$HOTSWAP_GREEN_PORT, port 8002)
#   <SLOT>_URL       any other slot named in upstreams.conf
#   LB_URL           the balancer's HTTP side      (http://127.0.0.1:$NGINX_HTTP_PORT, port 80)
#   VERIFY_REQUESTS  requests through the balancer to verify            (20)
#   VERIFY_TIMEOUT   seconds to wait for nginx's new workers            (15)
#   NGINX_SWITCH_LOG log file                                           ($NGINX_CONF_DIR/switch.log)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)

# A port variable of docker-compose.yml: the environment's, else the last line of the .env file
# beside the compose file (as compose reads it), else $2.
compose_variable() {
  local value=${!1:-}
  if [ -z "$value" ] && [ -f "$repo/.env" ]; then
    value=$(sed -n "s/^[[:space:]]*\(export[[:space:]]\{1,\}\)\{0,1\}$1[[:space:]]*=[[:space:]]*//p" "$repo/.env" \
      | tail -n 1 | sed "s/[[:space:]]*\$//; s/^[\"']//; s/[\"']\$//")
  fi
  echo "${value:-$2}"
}

# The URL that reaches a port compose published as PORT or ADDRESS:PORT ("${VAR:-8001}:8080").
published_url() {
  local host=127.0.0.1 port=$1
  if [[ $1 == *:* ]]; then
    host=${1%:*}
    port=${1##*:}
  fi
  case $host in
    "" | 0.0.0.0) host=127.0.0.1 ;;
    "[::]" | "::") host="[::1]" ;;
  esac
  echo "http://$host:$port"
}

# `docker compose` where a Docker engine answers, else podman-compose (docker-compose.yml runs
# unchanged under both).
compose_command() {
  if [ -n "${COMPOSE:-}" ]; then
    echo "$COMPOSE"
  elif docker compose version >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; then
    echo "docker compose"
  elif command -v podman-compose >/dev/null 2>&1; then
    echo "podman-compose"
  else
    echo "docker compose"
  fi
}

conf_dir=${NGINX_CONF_DIR:-$repo/conf/nginx}
upstreams=$conf_dir/upstreams.conf
backups=$conf_dir/backups
log_file=${NGINX_SWITCH_LOG:-$conf_dir/switch.log}
lb_url=${LB_URL:-$(published_url "$(compose_variable NGINX_HTTP_PORT 80)")}
verify_requests=${VERIFY_REQUESTS:-20}
verify_timeout=${VERIFY_TIMEOUT:-15}
if [ -n "${NGINX_CTL:-}" ]; then
  read -r -a nginx_ctl <<<"$NGINX_CTL"
else
  read -r -a compose <<<"$(compose_command)"
  nginx_ctl=("${compose[@]}" -f "$repo/docker-compose.yml" --profile nginx exec -T nginx nginx -c /etc/nginx/hotswap/nginx.conf)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log() {
  local line
  line="$(date -u +%Y-%m-%dT%H:%M:%SZ) $(basename "$0"): $*"
  echo "$line"
  echo "$line" >>"$log_file" 2>/dev/null || true
}

fail() {
  log "FAILED: $*"
  exit 1
}

usage() {
  sed -n '8,10p' "$0" | sed 's/^#   //' >&2
  exit 2
}

# Prints "slot weight" for each tagged server of `upstream hotswap_http` in file $1 (0 = down).
read_weights() {
  awk '
    /upstream[ \t]+hotswap_http[ \t]*\{/ { inside = 1; next }
    inside && /\}/ { inside = 0 }
    inside && match($0, /# slot:[a-z0-9_-]+/) {
      slot = substr($0, RSTART + 7, RLENGTH - 7)
      weight = 1
      if (match($0, /weight=[0-9]+/)) weight = substr($0, RSTART + 7, RLENGTH - 7)
      if ($0 ~ /[ \t]down[ \t;]/) weight = 0
      print slot, weight
    }' "$1"
}

# Writes file $1 with every tagged server line set to the weights in "slot=weight ..." $2.
write_weights() {
  awk -v spec="$2" '
    BEGIN { n = split(spec, pairs, " "); for (i = 1; i <= n; i++) { split(pairs[i], kv, "="); w[kv[1]] = kv[2] } }
    match($0, /# slot:[a-z0-9_-]+/) {
      slot = substr($0, RSTART + 7, RLENGTH - 7)
      if ((slot in w) && match($0, /^[ \t]*server[ \t]+[^ \t;]+/)) {
        head = substr($0, RSTART, RLENGTH)
        $0 = head (w[slot] > 0 ? " weight=" w[slot] : " weight=1 down") ";  # slot:" slot
      }
    }
    { print }' "$upstreams" >"$1"
}

describe() { # "slot weight" lines on stdin → "blue=9 green=1"
  awk '{ printf "%s%s=%s", (NR > 1 ? " " : ""), $1, $2 }'
}

slot_url() {
  local var
  var="$(echo "$1" | tr 'a-z-' 'A-Z_')_URL"
  case $1 in
    blue) echo "${!var:-$(published_url "$(compose_variable HOTSWAP_BLUE_PORT 8001)")}" ;;
    green) echo "${!var:-$(published_url "$(compose_variable HOTSWAP_GREEN_PORT 8002)")}" ;;
    *) [ -n "${!var:-}" ] || { echo "no URL for slot '$1': set $var" >&2; return 1; }; echo "${!var}" ;;
  esac
}

json_field() { # $1 = field name; JSON on stdin
  { grep -o "\"$1\" *: *\"[^\"]*\"" || true; } | head -1 | sed 's/.*: *"\(.*\)"/\1/'
}

health_check() {
  local slot=$1 url body reported
  url=$(slot_url "$slot") || fail "health check of $slot: no URL"
  body=$(curl -fsS --max-time 3 "$url/health" 2>&1) || fail "health check of $slot at $url/health: $body"
  echo "$body" | grep -q '"status" *: *"ok"' || fail "health check of $slot at $url/health: not ok: $body"
  reported=$(echo "$body" | json_field slot)
  [ -z "$reported" ] || [ "$reported" = "$slot" ] \
    || fail "health check of $slot at $url/health: that process serves '$reported'"
  log "health check passed for $slot ($(echo "$body" | json_field version)) at $url"
}

nginx_reload() {
  local out
  out=$("${nginx_ctl[@]}" -t 2>&1) || { echo "nginx -t: $out"; return 1; }
  out=$("${nginx_ctl[@]}" -s reload 2>&1) || { echo "nginx -s reload: $out"; return 1; }
}

# Asks the balancer until its answers match the weights in "slot weight" lines $1.
verify() {
  local expected=$1 active total=0 min=0 want deadline slot count streak=0 seen
  active=$(echo "$expected" | awk '$2 > 0 { print $1 }')
  while read -r slot count; do
    [ "$count" -gt 0 ] || continue
    total=$((total + count))
    if [ "$min" -eq 0 ] || [ "$count" -lt "$min" ]; then min=$count; fi
  done <<<"$expected"
  [ -n "$active" ] || return 1
  deadline=$((SECONDS + verify_timeout))
  if [ "$(echo "$active" | wc -l)" -eq 1 ]; then
    # One slot takes everything: wait for VERIFY_REQUESTS answers in a row from it.
    while [ "$SECONDS" -lt "$deadline" ]; do
      slot=$(curl -fsS --max-time 3 "$lb_url/health" 2>/dev/null | json_field slot) || slot="error"
      if [ "$slot" = "$active" ]; then streak=$((streak + 1)); else streak=0; fi
      if [ "$streak" -ge "$verify_requests" ]; then
        log "verified: $streak/$streak answers through $lb_url from $active"
        return 0
      fi
    done
    return 1
  fi
  # A split: every slot with a share must answer, and no other, within a window long enough for
  # the smallest share to come up twice.
  want=$(((2 * total + min - 1) / min))
  [ "$want" -ge "$verify_requests" ] || want=$verify_requests
  [ "$want" -le 400 ] || want=400
  while [ "$SECONDS" -lt "$deadline" ]; do
    seen=$(for _ in $(seq "$want"); do
      slot=$(curl -fsS --max-time 3 "$lb_url/health" 2>/dev/null | json_field slot) || slot=""
      echo "${slot:-error}"
    done | sort | uniq -c | awk '{ print $2, $1 }')
    if [ "$(echo "$seen" | awk '{ print $1 }' | sort)" = "$(echo "$active" | sort)" ]; then
      log "verified: $want answers through $lb_url: $(echo "$seen" | describe)"
      return 0
    fi
    log "waiting for nginx: $want answers gave $(echo "$seen" | describe)"
  done
  return 1
}

# Installs file $1 as upstreams.conf, tests, reloads and verifies; on failure puts the previous
# file back. $2 = "backup" keeps the previous file in backups/ for nginx-rollback.sh.
apply() {
  local new=$1 keep=$2 previous=$work/previous.conf error stamp
  cp -p "$upstreams" "$previous"
  cp "$new" "$upstreams"
  if ! error=$(nginx_reload); then
    cp "$previous" "$upstreams"
    fail "$error; previous weights restored"
  fi
  if ! verify "$(read_weights "$upstreams")"; then
    cp "$previous" "$upstreams"
    nginx_reload >/dev/null || true
    fail "the balancer did not serve the new weights within ${verify_timeout}s; previous weights restored"
  fi
  if [ "$keep" = backup ]; then
    mkdir -p "$backups"
    stamp=$(date -u +%Y%m%dT%H%M%S.%NZ)
    cp -p "$previous" "$backups/upstreams.conf.$stamp"
    log "backup: $backups/upstreams.conf.$stamp"
  fi
}

main() {
  [ -f "$upstreams" ] || fail "$upstreams does not exist (NGINX_CONF_DIR=$conf_dir)"
  local current slots target percent rest others new spec g
  current=$(read_weights "$upstreams")
  [ -n "$current" ] || fail "$upstreams has no server line tagged '# slot:NAME' in upstream hotswap_http"
  slots=$(echo "$current" | awk '{ print $1 }')

  if [ "${1:-}" = "--restore" ]; then
    [ -f "${2:-}" ] || fail "--restore needs a backup file, got '${2:-}'"
    new=$(read_weights "$2")
    [ -n "$new" ] || fail "$2 has no tagged server lines"
    log "restoring $2: $(echo "$current" | describe) -> $(echo "$new" | describe)"
    apply "$2" no-backup
    log "rollback successful: $(echo "$new" | describe)"
    return 0
  fi

  target=${1:-}
  percent=${2:-100}
  [ $# -le 2 ] || usage
  if [ -z "$target" ]; then
    # Like the seeds' switch.sh: flip to the standby colour.
    [ "$(echo "$current" | awk '$2 > 0' | wc -l)" -eq 1 ] && [ "$(echo "$slots" | wc -l)" -eq 2 ] \
      || fail "traffic is split ($(echo "$current" | describe)): name the target, e.g. $(basename "$0") green"
    target=$(echo "$current" | awk '$2 == 0 { print $1 }')
  fi
  echo "$slots" | grep -qx "$target" || fail "unknown slot '$target'; upstreams.conf has: $(echo "$slots" | tr '\n' ' ')"
  [[ $percent =~ ^[0-9]+$ ]] && [ "$percent" -ge 1 ] && [ "$percent" -le 100 ] \
    || fail "share must be a whole percent from 1 to 100, got '$percent'"
  others=$(echo "$slots" | grep -vx "$target")
  rest=$((100 - percent))
  if [ "$rest" -gt 0 ] && [ "$(echo "$others" | wc -l)" -ne 1 ]; then
    fail "a split needs exactly two slots in upstreams.conf"
  fi
  # Smallest integer weights with the same ratio (90/10 -> 9:1), as the seeds wrote them.
  g=$percent
  local b=$rest
  while [ "$b" -gt 0 ]; do
    local t=$((g % b))
    g=$b
    b=$t
  done
  spec="$target=$((percent / g))"
  for slot in $others; do spec="$spec $slot=$((rest / g))"; done

  log "switch: $(echo "$current" | describe) -> ${spec}"
  health_check "$target"
  [ "$rest" -eq 0 ] || health_check "$others"
  write_weights "$work/new.conf" "$spec"
  if cmp -s "$work/new.conf" "$upstreams"; then
    log "nothing to change: traffic is already $(echo "$current" | describe)"
    return 0
  fi
  apply "$work/new.conf" backup
  log "switch successful: $(read_weights "$upstreams" | describe)"
}

main "$@"
