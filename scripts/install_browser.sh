#!/usr/bin/env bash
# Install Debian's chromium and the Noto CJK fonts used by the browser tests and screenshots.
# Idempotent: does nothing when both are already present. Never uses `playwright install`
# (it downloads browser builds, which these machines cannot fetch).
set -euo pipefail

CHROMIUM=/usr/bin/chromium

have_fonts() {
    dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'install ok installed'
}

if [[ ! -x "$CHROMIUM" ]] || ! have_fonts; then
    if [[ "$(id -u)" -ne 0 ]]; then
        SUDO=sudo
    else
        SUDO=
    fi
    echo ">> installing chromium + fonts-noto-cjk (apt)"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        chromium fonts-noto-cjk >/dev/null
fi

echo ">> $("$CHROMIUM" --version 2>/dev/null || echo 'chromium: version unknown')"
