#!/usr/bin/env bash
# Installs what the tests need from Debian's packages: Chromium for the
# end-to-end tests, poppler-utils (pdftotext, pdfsig) and openssl for the PDF
# and seal checks, clamav-daemon (clamd) for the virus-scan hook's test.
# Never downloads a browser of its own.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ -x /usr/sbin/clamd ] || need+=(clamav-daemon)
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing ${need[*]} from Debian's packages…"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
