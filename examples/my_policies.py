"""A plug-in module: it registers the batching policy "pairs" (two orders a pick list).

logistics validate bonded_import_peak --plugins examples/my_policies.py --set warehouse.floor.batching=pairs
"""

import numpy as np

from logistics.policies import BATCHING


class Pairs:  # two orders a list
    window_h = 0.1

    def pick_lists(self, pool):
        return [
            np.arange(pool.line_ptr[k], pool.line_ptr[min(k + 2, len(pool.orders))])
            for k in range(0, len(pool.orders), 2)
        ]


BATCHING.register("pairs", Pairs)
