#!/bin/sh
# Installs Debian's `prometheus` package (the server and promtool) for the exporter's end-to-end
# test, which starts its own Prometheus on 127.0.0.1. The package must never run as a system
# service listening elsewhere: service starts are refused while apt runs (policy-rc.d), and the
# unit is disabled and stopped afterwards where systemd runs. Recommends (node-exporter, another
# service) are not installed. Does nothing when both binaries are already on PATH.
#
# Exit status: 0 when prometheus and promtool are on PATH afterwards; otherwise non-zero with
# one line on stderr saying why (the test then skips with that line).
set -eu

have() { command -v "$1" >/dev/null 2>&1; }

if have prometheus && have promtool; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "install_prometheus: installing Debian's prometheus package needs root" >&2
    exit 1
fi
if ! have apt-get; then
    echo "install_prometheus: no apt-get (not a Debian-based machine)" >&2
    exit 1
fi

policy=/usr/sbin/policy-rc.d
saved=""
restore() {
    if [ -n "$saved" ]; then
        mv -f "$saved" "$policy"
    else
        rm -f "$policy"
    fi
}
if [ -e "$policy" ]; then
    saved=$(mktemp)
    cp -p "$policy" "$saved"
fi
trap restore EXIT
printf '#!/bin/sh\n# install_prometheus: no service starts while apt runs\nexit 101\n' >"$policy"
chmod 755 "$policy"

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus; } >"$log" 2>&1; then
    echo "install_prometheus: apt-get install prometheus failed: $(grep -E '^(E|W):' "$log" | tail -n 1)" >&2
    rm -f "$log"
    exit 1
fi
rm -f "$log"

if have systemctl && [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
if [ -x /etc/init.d/prometheus ]; then
    /etc/init.d/prometheus stop >/dev/null 2>&1 || true
fi

if ! have prometheus || ! have promtool; then
    echo "install_prometheus: the prometheus package installed but prometheus/promtool are not on PATH" >&2
    exit 1
fi
