#!/bin/sh
# Installs a Debian package only when its command is missing: install-debian.sh COMMAND PACKAGE.
# Runs as root, non-interactively (CI=true, no stdin): apt-get never prompts.
set -eu
command_name="$1"
package="$2"

if command -v "$command_name" >/dev/null 2>&1; then
  echo "install-debian: $command_name already present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-debian: $command_name is missing and installing $package needs root (run as root or via sudo)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update </dev/null
apt-get install -y --no-install-recommends "$package" </dev/null
echo "install-debian: installed $package"
