#!/usr/bin/env bash
# The CI schemathesis run with many more examples per operation and a
# random seed (CI keeps 12 and a fixed seed): a longer hunt for 5xx and
# schema mismatches. Usage: bash bench/schemathesis-long.sh [examples]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MAX_EXAMPLES="${1:-200}" SEED="${SEED:-$RANDOM$RANDOM}" exec bash .ci/schemathesis.sh
