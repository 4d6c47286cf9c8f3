#!/bin/sh
# Container entry point: runs the metastream command line with $JAVA_OPTS.
#
# METASTREAM_EXTRA_PROPERTIES (optional): key=value lines appended to a copy of the file given with --config, so
# several containers can share one config file and differ in a few keys (application.server, state.dir, ...).
# A later line wins over an earlier one, as in any Java properties file.
set -eu

if [ -n "${METASTREAM_EXTRA_PROPERTIES:-}" ]; then
    merged="${TMPDIR:-/tmp}/metastream-$$.properties"
    previous=""
    for arg in "$@"; do
        shift
        if [ "$previous" = "--config" ]; then
            { cat "$arg"; printf '\n%s\n' "$METASTREAM_EXTRA_PROPERTIES"; } > "$merged"
            arg="$merged"
        fi
        set -- "$@" "$arg"
        previous="$arg"
    done
fi

# shellcheck disable=SC2086  # JAVA_OPTS is deliberately word-split
exec java ${JAVA_OPTS:-} -jar /opt/metastream/metastream.jar "$@"
