#!/bin/bash
# The learning-quality rows of docs/benchmarks.md (seed 1) for one setting: quality.sh NAME [--set KEY=VALUE ...].
# Writes each run's JSON and printed table under $OUT/q-NAME (default /tmp/metastream-quality).
name=$1; shift
cd "$(dirname "$0")/../../.."
export OMP_NUM_THREADS=1
O=${OUT:-/tmp/metastream-quality}/q-$name; mkdir -p $O
run() { local n=$1; shift; bin/metastream evaluate "$@" --seed 1 --quiet --json $O/$n.json "${EXTRA[@]}" > $O/$n.txt 2>$O/$n.err; echo "$n rc=$?" >> $O/status; }
EXTRA=("$@")
date -u +%H:%M:%S > $O/start
run seattle --source csv:data/vega/seattle-weather.csv --label-column weather --time-columns date --test-per-task 0 --no-reference
run weather --source csv:data/vega/weather.csv --task-column location --label-column weather --time-columns date --test-per-task 0 --no-reference
run sea --source sea --train-per-task 20000 --test-per-task 0 --no-reference
run hyperplane --source hyperplane:mode=abrupt --train-per-task 20000 --test-per-task 0 --no-reference
run rbf --source rbf:mode=abrupt --train-per-task 20000 --test-per-task 0 --no-reference
run recsys --source recsys --train-per-task 100 --test-per-task 0 --no-reference
run clicks --source recsys:kind=clicks --train-per-task 100 --test-per-task 0 --no-reference
run newusers5 --source recsys --train-per-task 100 --test-per-task 0 --no-reference --shots 5
run flights --source json:data/vega/flights-20k.json --task-column origin --label-column delay --label-threshold 15 --feature-columns distance --hash-columns destination --time-columns date --set task.kind=binary --test-per-task 0 --no-reference
run birdstrikes --source csv:data/vega/birdstrikes.csv --task-column 'Origin State' --label-column 'Effect Amount of damage' --feature-columns '' --time-columns 'Flight Date' --hash-columns 'Phase of flight,Wildlife Size,Time of day,Wildlife Species,Aircraft Make Model,Aircraft Airline Operator,Airport Name' --test-per-task 0 --no-reference
GEM=(--train-per-task 1000 --test-per-task 1000 --set model.trunk.layers=100,100 --set learner.batch.size=10 --set memory.per.task=256 --strategy metastream --no-reference)
run gem-permute --source idx:data/mnist --transform permute:20 "${GEM[@]}"
run gem-rotate --source idx:data/mnist --transform rotate:20 "${GEM[@]}"
date -u +%H:%M:%S > $O/end
