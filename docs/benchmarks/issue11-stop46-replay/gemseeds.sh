#!/bin/bash
# The GEM-protocol runs of docs/benchmarks.md on seeds 2 and 3 for one setting: gemseeds.sh NAME [--set KEY=VALUE ...].
name=$1; shift
cd "$(dirname "$0")/../../.."; export OMP_NUM_THREADS=1
O=${OUT:-/tmp/metastream-quality}/q-$name; mkdir -p $O
GEM=(--train-per-task 1000 --test-per-task 1000 --set model.trunk.layers=100,100 --set learner.batch.size=10 --set memory.per.task=256 --strategy metastream --no-reference)
for seed in 2 3; do for t in permute rotate; do
bin/metastream evaluate --source idx:data/mnist --transform $t:20 "${GEM[@]}" --seed $seed --quiet --json $O/gem-$t-seed$seed.json "$@" > $O/gem-$t-seed$seed.txt 2>&1
done; done
