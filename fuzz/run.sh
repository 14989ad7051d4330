#!/bin/sh
# run.sh - runs the libFuzzer harnesses for mk/fuzz.mk.
#
#   sh fuzz/run.sh run SECONDS NAME...       fuzz each harness SECONDS
#   sh fuzz/run.sh regress 0 NAME...         every seed and regression once
#   sh fuzz/run.sh coverage 0 NAME...        line coverage of the targets
#   sh fuzz/run.sh merge 0 NAME...           add to fuzz/corpus/NAME the inputs
#                                            of build/fuzz/work/NAME that add
#                                            coverage (libFuzzer -merge=1)
#
# A harness's seeds are fuzz/corpus/NAME, its regression inputs (inputs that
# once crashed or broke an invariant) fuzz/regress/NAME, its dictionary
# fuzz/dict/NAME.dict, and the code it targets is listed on the
# "FUZZ-TARGETS:" line of fuzz/fuzz_NAME.c. New inputs found while fuzzing
# go to build/fuzz/work/NAME (not into git: minimise and copy by hand);
# crashes to build/fuzz/crash/. Exit status: 0 only when every harness ran
# clean. One summary line per harness goes to build/fuzz/summary.txt.
mode=$1
seconds=$2
shift 2
FZ=build/fuzz
mkdir -p $FZ/work $FZ/crash $FZ/log
: > $FZ/summary.txt
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
start=$(date +%s)

for name in "$@"; do
    bin=$FZ/bin/fuzz_$name
    corpus=fuzz/corpus/$name
    regress=fuzz/regress/$name
    dict=fuzz/dict/$name.dict
    log=$FZ/log/$name.log
    dirs=$corpus
    [ -d "$regress" ] && dirs="$dirs $regress"
    dictopt=
    [ -f "$dict" ] && dictopt=-dict=$dict
    case $mode in
    run)
        mkdir -p $FZ/work/$name
        t0=$(date +%s)
        $bin -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
             -max_len=8192 -print_final_stats=1 $dictopt \
             ${FUZZ_SEED:+-seed=$FUZZ_SEED} \
             -artifact_prefix=$FZ/crash/$name- \
             $FZ/work/$name $dirs > "$log" 2>&1
        rc=$?
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
        line="$name: rc=$rc execs=${execs:-?} execs/s=${rate:-?} $cov time=$(( $(date +%s) - t0 ))s"
        ;;
    regress)
        $bin -runs=0 $dirs > "$log" 2>&1
        rc=$?
        n=$(cat $dirs/* 2>/dev/null | wc -c)
        line="$name: rc=$rc inputs=$(ls $dirs | wc -l) bytes=$n"
        ;;
    merge)
        mkdir -p $FZ/work/$name
        before=$(ls $corpus | wc -l)
        $bin -merge=1 -max_len=8192 $corpus $FZ/work/$name > "$log" 2>&1
        rc=$?
        line="$name: corpus $before -> $(ls $corpus | wc -l) files, $(cat $corpus/* | wc -c) bytes"
        ;;
    coverage)
        bin=$FZ/cov/bin/fuzz_$name
        prof=$FZ/cov/$name
        rm -rf $prof && mkdir -p $prof
        wdirs=$dirs
        [ -d $FZ/work/$name ] && wdirs="$wdirs $FZ/work/$name"
        LLVM_PROFILE_FILE=$prof/%p.profraw $bin -runs=0 $wdirs > "$log" 2>&1
        rc=$?
        llvm-profdata-14 merge -sparse -o $prof/all.profdata $prof/*.profraw
        targets=$(sed -n 's/.*FUZZ-TARGETS: *//p' fuzz/fuzz_$name.c | sed 's/\*\/.*//')
        llvm-cov-14 report $bin -instr-profile=$prof/all.profdata $targets \
            > $prof/report.txt 2>&1
        total=$(awk '/^TOTAL/ {print $(NF-3)}' $prof/report.txt)
        line="$name: lines=$total of $(echo $targets | wc -w) file(s) over $(cat $wdirs/* 2>/dev/null | wc -c) bytes of corpus"
        ;;
    esac
    [ "$rc" -eq 0 ] || { failed=$((failed + 1)); line="$line FAILED (see $log)"; }
    echo "$line" | tee -a $FZ/summary.txt
done
echo "fuzz $mode: $# harness(es), $failed failed, $(( $(date +%s) - start ))s"
[ "$failed" -eq 0 ]
