"""Score a registry held as Parquet with Spark, as a data platform would.

On one machine (a local Spark session, Java 17 and the `spark` extra installed), generating a
registry of a million synthetic Shuozhou enterprises first:

    .venv/bin/python examples/spark_score.py --generate 1000000 --input /tmp/registry.parquet \\
        --output /tmp/scored --as-of 2019-12-31

On a cluster, ship a packed virtual environment holding subsidy-engine[spark] (made with
`venv-pack` or `conda-pack`) and let spark-submit choose the master:

    spark-submit --master yarn --deploy-mode cluster \\
        --archives subsidy-env.tar.gz#env \\
        --conf spark.pyspark.python=./env/bin/python \\
        examples/spark_score.py --submitted --input hdfs:///registry/enterprises \\
        --output hdfs:///scored/2019-12-31 --as-of 2019-12-31

Results go to OUTPUT/results and the rows that failed validation to OUTPUT/rejects (row, key,
reason); rows read = rows scored + rows rejected.
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from subsidy_engine import Engine
from subsidy_engine.spark import local_session, score_spark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", required=True, help="Parquet file or folder of profiles")
    parser.add_argument("--output", required=True, help="folder for results/ and rejects/")
    parser.add_argument("--as-of", type=date.fromisoformat, required=True)
    parser.add_argument("--rulebook", help="rulebook folder (default: the bundled one)")
    parser.add_argument("--reform", help="reform file applied on top of the rulebook")
    parser.add_argument("--generate", type=int, metavar="N", help="first write N synthetic rows")
    parser.add_argument("--cores", type=int, default=2, help="local session cores")
    parser.add_argument("--submitted", action="store_true", help="use spark-submit's session")
    args = parser.parse_args()

    engine = Engine(args.rulebook)
    if args.generate:
        from subsidy_engine.synthetic import write_parquet

        write_parquet(engine.rulebook, args.generate, Path(args.input), seed=2019)
    if args.submitted:
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.appName("subsidy-engine").getOrCreate()
    else:
        spark = local_session(args.cores)

    started = time.perf_counter()
    registry = spark.read.parquet(args.input)
    scored = score_spark(registry, as_of=args.as_of, rulebook=engine, reform=args.reform)
    scored.write(f"{args.output}/results", f"{args.output}/rejects", mode="overwrite")
    seconds = time.perf_counter() - started

    read = registry.count()
    rejected = spark.read.parquet(f"{args.output}/rejects").count()
    results = spark.read.parquet(f"{args.output}/results").count()
    print(f"{read:,} rows read: {read - rejected:,} scored, {rejected:,} rejected")
    print(f"{results:,} result rows in {seconds:.1f} s ({read / seconds:,.0f} rows/s)")
    print(f"rulebook {scored.provenance.rulebook_id} {scored.provenance.rulebook_sha256[:12]}")


if __name__ == "__main__":
    main()
