#!/bin/sh
# Installs Debian's chromium for the dashboard's browser test, only when it is missing.
exec sh "$(dirname "$0")/install-debian.sh" chromium chromium
