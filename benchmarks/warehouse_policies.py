"""Slotting and pick routing on the simulated floor of bonded_import_peak: random + S-shape against COI-optimal
+ optimal routing (and the two crossed), 10 replications with common random numbers, through the experiments
machinery. Prints the paired differences with 95% intervals and writes benchmarks/out/warehouse_policies/.

    python benchmarks/warehouse_policies.py            # 4 policies x 10 replications on all cores
    python benchmarks/warehouse_policies.py --workers 1
"""

from experiment_bench import main

if __name__ == "__main__":
    main("warehouse_policies", __doc__)
