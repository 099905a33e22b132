#!/usr/bin/env bash
# Undoes the last scripts/nginx-switch.sh, like the seed systems' rollback.sh: restore the newest
# backup of conf/nginx/upstreams.conf, `nginx -t`, reload, verify through the balancer, log.
# Each rollback consumes one backup, so repeated rollbacks walk further back. If nginx rejects
# the backup or the balancer does not serve it, the current weights stay and the backup is kept.
#
#   scripts/nginx-rollback.sh
#
# Same environment as scripts/nginx-switch.sh (COMPOSE, NGINX_CONF_DIR, NGINX_CTL, LB_URL, ...);
# works with `docker compose` and with podman-compose alike.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
conf_dir=${NGINX_CONF_DIR:-$here/../conf/nginx}
backups=$conf_dir/backups

latest=$(find "$backups" -maxdepth 1 -type f -name 'upstreams.conf.*' 2>/dev/null | sort | tail -n 1)
if [ -z "$latest" ]; then
  line="$(date -u +%Y-%m-%dT%H:%M:%SZ) $(basename "$0"): FAILED: no backup in $backups to roll back to"
  echo "$line" >&2
  echo "$line" >>"${NGINX_SWITCH_LOG:-$conf_dir/switch.log}" 2>/dev/null || true
  exit 1
fi

"$here/nginx-switch.sh" --restore "$latest"
rm -f "$latest"
