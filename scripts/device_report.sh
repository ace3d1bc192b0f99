#!/usr/bin/env bash
# Figures for the README's GPU section (issue 12, item 5), from one run on one machine.
#
#     bash scripts/device_report.sh OUTDIR [gpu|cpu]
#
# Times, with the device named: cold whole-process solves (scripts/speed_cold.py, JAX's default
# backend), `aocnn verify` of every registered puzzle on the device and on the CPU (load and warm
# solve per part), one shipped training recipe end to end (2023/1 part 1, seed 0), where training
# time goes for a few tasks (scripts/speed_train.py), and the benchmark suite on the device. Each
# section has its own time limit and a failed section does not stop the others; raw outputs
# (JSON, the log) are written under OUTDIR. Run it from the repository root, with aocnn importable.
# QUICK=1 shrinks every section (a check that the script works, not figures). TESTS=1 adds, last,
# the puzzle, trust and family tests run on the device (8 workers: needs pytest-xdist, which the H200
# image has; 200 s at most).
# Without TESTS it needs about 7 minutes on an H200 machine (JAX 0.11.2 there).
set -u
out=${1:?usage: device_report.sh OUTDIR [gpu|cpu]}
device=${2:-gpu}
py=${PYTHON:-python3}
quick=${QUICK:-0}
mkdir -p "$out"
work=$(mktemp -d)
export AOCNN_CACHE_DIR="$work/cache" PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false

cli=("$py" -c "from aocnn.cli import entry; entry()")
section() { echo; echo "== $1 ($(date -u +%T))"; }
now() { date +%s.%N; }
took() { "$py" -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f} s')" "$1" "$(now)"; }
limit() { local seconds=$1; shift; [ "$quick" = 1 ] && seconds=$(( seconds < 60 ? seconds : 60 )); timeout "$seconds" "$@"; }

section environment
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
"$py" -c "
import os, sys, jax, flax, optax, orbax.checkpoint
print('python', sys.version.split()[0], '| jax', jax.__version__, '| flax', flax.__version__, '| optax', optax.__version__,
      '| cores', os.cpu_count(), '| devices', jax.devices())"

section "cold solves, whole process (speed_cold.py, JAX's default backend)"
t=$(now)
limit 100 "$py" scripts/speed_cold.py --repeats "$([ "$quick" = 1 ] && echo 1 || echo 3)" 2>&1 | grep -v "^round"
echo "section took $(took "$t")"

for kind in "$device" cpu; do
    section "aocnn verify, every puzzle, --device $kind (generated samples)"
    t=$(now)
    seconds=90; [ "$kind" = cpu ] && seconds=60
    limit "$seconds" "${cli[@]}" verify --device "$kind" --json > "$out/verify_$kind.json" 2> "$work/verify_$kind.err"
    echo "rc=$? in $(took "$t")"; tail -3 "$work/verify_$kind.err"
    [ "$kind" = "$device" ] && [ "$device" = cpu ] && break
done

section "aocnn train 2023 1 --part 1 --seed 0 --device $device (the shipped recipe, stop rule on, at most 3,000 steps)"
t=$(now)
steps=(--max-steps 3000); [ "$quick" = 1 ] && steps=(--max-steps 20)
limit 110 "${cli[@]}" train 2023 1 --part 1 --seed 0 --device "$device" --out "$work/weights" "${steps[@]}" 2>&1 \
    | tr '\r' '\n' | grep -v '^$' | tail -4
echo "took $(took "$t")"
cp "$work"/weights/2023_01/part1/meta.json "$out/train_2023_01_part1_meta.json" 2>/dev/null \
    || find "$work/weights" -name meta.json -exec cp {} "$out/train_meta.json" \; 2>/dev/null

section "where training time goes (speed_train.py --producer-only, 300 steps each)"
t=$(now)
limit 70 "$py" scripts/speed_train.py --producer-only --repeats 1 --steps "$([ "$quick" = 1 ] && echo 10 || echo 300)" \
    --task 2023/1/1 --task 2022/3/1 --task 2023/4/1 2>&1 | tail -20
echo "section took $(took "$t")"

section "benchmarks, neural on $device (pytest tests/benchmarks --benchmark-enable)"
t=$(now)
select=(); [ "$quick" = 1 ] && select=(-k 2023_01)
limit 130 "$py" -m pytest tests/benchmarks -q -p no:cacheprovider --benchmark-enable --benchmark-max-time=0.5 \
    --aocnn-device "$device" --benchmark-json "$out/bench_$device.json" --benchmark-columns=median,rounds \
    --benchmark-group-by=group "${select[@]}" 2>&1 | grep -v "^$" | tail -60
echo "section took $(took "$t")"

if [ "${TESTS:-0}" = 1 ]; then
    section "puzzle, trust and family tests on $device (pytest -n 8)"
    t=$(now)
    limit 200 "$py" -m pytest tests/test_20*.py tests/test_trust.py tests/test_family.py -q -x -p no:cacheprovider \
        -n 8 --dist loadfile 2>&1 | tee "$out/tests.txt" | grep -E "passed|failed|FAILED|Error" | tail -15
    echo "section took $(took "$t")"
fi
rm -rf "$work"
