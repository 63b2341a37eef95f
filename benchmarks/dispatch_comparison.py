"""Last-mile dispatch on last_mile_city: OR-Tools (2 s a wave) against the nearest-neighbour greedy and the
fixed-zone baseline, 10 replications with common random numbers, through the experiments
machinery. Prints the paired differences with 95% intervals and writes benchmarks/out/dispatch_comparison/.

    python benchmarks/dispatch_comparison.py            # 3 policies x 10 replications on all cores
    python benchmarks/dispatch_comparison.py --workers 1
"""

from experiment_bench import main

if __name__ == "__main__":
    main("dispatch_comparison", __doc__)
