#!/bin/sh
# Prints the path of the Chromium the dashboard's browser tests drive (`make test` calls this).
# A chromium on PATH or in /usr/bin is used; when there is none and this runs as root on Debian or
# Ubuntu, Debian's `chromium` package is installed; otherwise it says what to install, and fails.
set -eu

found() {
    command -v chromium || command -v chromium-browser || { [ -x /usr/bin/chromium ] && echo /usr/bin/chromium; }
}

if found; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "No Chromium found: installing Debian's chromium package for the browser tests." >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
    if found; then
        exit 0
    fi
fi
echo "The dashboard's browser tests need Chromium: install it (Debian or Ubuntu: apt-get install chromium)" \
     "or put a chromium on PATH, then run make test again." >&2
exit 1
