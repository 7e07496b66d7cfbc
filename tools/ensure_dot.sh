#!/bin/sh
# Graphviz's `dot` renders the diagrams. When it is missing, install it with apt-get if we are
# root; otherwise say how to install it and fail, or, with --optional, go on without it (the
# demo then writes its diagram as DOT source).
optional=0
if [ "${1-}" = "--optional" ]; then optional=1; fi

if command -v dot >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Graphviz (dot) with apt-get"
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; then
        exit 0
    fi
fi
echo "Graphviz's dot is missing: install it (Debian/Ubuntu: sudo apt-get install graphviz," \
     "Fedora: sudo dnf install graphviz, macOS: brew install graphviz), then run make again"
if [ "$optional" = 1 ]; then
    echo "going on without it: diagrams are written as DOT source instead of pictures"
    exit 0
fi
exit 1
