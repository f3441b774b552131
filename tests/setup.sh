#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh machine: mncost itself with its test
# and torch extras, and Debian's Chromium for the browser tests (never a browser downloaded
# by a test tool). Safe to run again.
#
# The torch extra is a range (torch>=2.4), which alone could resolve to a CUDA build of
# several GB. torch==2.13.0 is named in the same pip call, so pip takes exactly that
# version: the CPU wheel this machine keeps on disk, and the version the tests were run on.
set -euo pipefail
cd "$(dirname "$0")/.."

#
# --upgrade --upgrade-strategy eager: every dependency moves to its newest release that
# the ranges in pyproject.toml admit, on every run, so the suite always runs against what
# a new user's `pip install` would get today, not against what this machine happened to
# have (a PyYAML release once changed an error message under a green suite). pytest's
# header prints the versions that ran.
python -m pip install --disable-pip-version-check -q --upgrade --upgrade-strategy eager \
  'torch==2.13.0' -e '.[test,torch]'

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "tests/setup.sh: installing Debian's chromium for the browser tests" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "tests/setup.sh: chromium not found and cannot apt-get it; browser tests will skip" >&2
  fi
fi
