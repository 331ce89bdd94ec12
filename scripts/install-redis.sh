#!/bin/sh
# Installs Debian's redis-server for the Redis store tests, only when it is missing.
# The tests start their own server on 127.0.0.1 and a free port; the package's service is not used.
exec sh "$(dirname "$0")/install-debian.sh" redis-server redis-server
