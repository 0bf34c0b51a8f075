# The peer of `cli analyze` for bench/analysis.bench.ts: pandas reads the CSV, counts cells, and statsmodels fits
# refused ~ persona + task + prompt + model as a binomial GLM on the cell counts (the same model as ours).
# Usage: python3 bench/analysis_peer.py FILE.csv   (prints the number of cells and the log-likelihood)
import sys

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

rows = pd.read_csv(sys.argv[1], dtype={"model": "category", "task": "category", "persona": "category", "prompt": "category", "item": "string"})
cells = rows.groupby(["model", "task", "persona", "prompt"], observed=True)["refused"].agg(["sum", "count"]).reset_index()
cells["kept"] = cells["count"] - cells["sum"]
fit = smf.glm("sum + kept ~ C(persona) + C(task) + C(prompt) + C(model)", data=cells, family=sm.families.Binomial()).fit()
print(len(cells), float(np.round(fit.llf, 6)))
