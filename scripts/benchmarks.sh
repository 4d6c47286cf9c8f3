#!/usr/bin/env bash
# Reproduces every row of docs/benchmarks.md: writes one JSON per run under docs/benchmarks/ (or $OUT) and prints a
# summary line per run. Needs MNIST in data/mnist (scripts/fetch-mnist.sh). Runs in process; about 10 minutes on
# 2 cores. Usage: scripts/benchmarks.sh [mnist|sinusoid|drift|all] (default all).
set -euo pipefail
cd "$(dirname "$0")/.."
export OMP_NUM_THREADS=1
OUT=${OUT:-docs/benchmarks}
mkdir -p "$OUT"
what=${1:-all}

# The GEM paper's protocol (Lopez-Paz & Ranzato 2017): 20 tasks, 1,000 training examples each, one pass, two hidden
# layers of 100 ReLU units, batch 10, 256 memory examples per task; tested on 1,000 test examples per task. Every other
# setting is the strategy's (for `metastream`, the product's defaults).
GEM=(--train-per-task 1000 --test-per-task 1000 --set model.trunk.layers=100,100 --set learner.batch.size=10
     --set memory.per.task=256)

run() { # name, then evaluate arguments
    local name=$1; shift
    echo "== $name: bin/metastream evaluate $*" >&2
    bin/metastream evaluate "$@" --quiet --json "$OUT/$name.json" > "$OUT/$name.txt"
    tail -n 0 "$OUT/$name.txt"
}

if [[ $what == mnist || $what == all ]]; then
    [[ -f data/mnist/train-images-idx3-ubyte ]] || scripts/fetch-mnist.sh data/mnist
    for transform in permute:20 rotate:20; do
        t=${transform%%:*}
        run "mnist-$t-metastream-seed1" --source idx:data/mnist --transform "$transform" "${GEM[@]}" --seed 1 \
            --strategy metastream
        for s in naive independent multihead agem gem replay joint; do
            run "mnist-$t-$s-seed1" --source idx:data/mnist --transform "$transform" "${GEM[@]}" --seed 1 \
                --strategy "$s" --no-reference
        done
        for seed in 2 3; do
            run "mnist-$t-metastream-seed$seed" --source idx:data/mnist --transform "$transform" "${GEM[@]}" \
                --seed "$seed" --strategy metastream --no-reference
        done
    done
fi

if [[ $what == sinusoid || $what == all ]]; then
    # MAML's sinusoid family (Finn et al. 2017): two hidden layers of 40 ReLU units, 2,000 tasks streamed once, few-shot
    # figures on the last 10% of the tasks after 10 and 5 examples.
    for seed in 1 2 3; do
        for shots in 10 5; do
            run "sinusoid-${shots}shot-metastream-seed$seed" --source sinusoid --tasks 2000 --train-per-task 20 \
                --test-per-task 50 --shots "$shots" --seed "$seed" --set model.trunk.layers=40,40 --no-reference
        done
    done
fi

if [[ $what == drift || $what == all ]]; then
    for src in hyperplane:mode=abrupt sea rbf:mode=abrupt; do
        n=${src%%:*}
        run "drift-$n-metastream-seed1" --source "$src" --train-per-task 20000 --seed 1 --no-reference
    done
fi
