import json
import sys

sys.stderr = open(snakemake.log[0], "w")  # noqa: F821

from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

from mlpbench.study import adapt  # noqa: E402

inp, out = snakemake.input, snakemake.output  # noqa: F821
Path(out.runs).mkdir(parents=True, exist_ok=True)
image = json.loads(Path(inp.image).read_text()) if inp.image else None
added = adapt.run(list(inp.records), json.loads(Path(inp.design).read_text()),
                  snakemake.params.settings, inp.data, snakemake.params.lock,  # noqa: F821
                  Path(snakemake.log[0]).with_suffix(""),  # noqa: F821
                  snakemake.config["max_extra_runs"], snakemake.config,  # noqa: F821
                  image=image, between=pd.read_csv(inp.between_studies), root=out.runs)
added.to_csv(out.extra, index=False)
print(f"{len(added)} extra runs", file=sys.stderr)
