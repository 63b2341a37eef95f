"""Line-haul space allocation on direct_mail_two_services: the rolling-horizon MIP against first come first
served, 10 replications with common random numbers, through the experiments
machinery. Prints the paired differences with 95% intervals and writes benchmarks/out/linehaul_allocation/.

    python benchmarks/linehaul_allocation.py            # 2 policies x 10 replications on all cores
    python benchmarks/linehaul_allocation.py --workers 1
"""

from experiment_bench import main

if __name__ == "__main__":
    main("linehaul_allocation", __doc__)
