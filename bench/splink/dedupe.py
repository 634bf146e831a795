"""Splink (with DuckDB) on the records of `kehu dedupe --generate`, for a side-by-side run.

Reads the generated CSV, cleans it the way any Splink user would (phones to digits,
company names without legal suffixes, lower case), trains an unsupervised Fellegi-Sunter
model (u by random sampling, m by expectation maximisation; the truth columns are never
read), predicts pairs, clusters them at a threshold and writes `record_id,cluster_id`,
which `kehu dedupe --evaluate FILE --clusters OUT` scores with the same pairwise precision,
recall and F1 as Kehu's own clustering.

    python dedupe.py gen.csv splink_clusters.csv [--threshold 0.5]
"""

import argparse
import logging
import time

import duckdb
from splink import DuckDBAPI, Linker, block_on

from settings import SETTINGS

# Legal suffixes and region words people add or leave out, as in Kehu's own cleaning.
SUFFIXES = ["股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "co.,ltd.", "co., ltd.", "ltd.", "co.", "ltd", "inc."]

CLEAN = r"""
create or replace table records as
select
    record_id,
    nullif(trim({company}), '') as company_raw,
    nullif(regexp_replace(lower(trim(coalesce({company}, ''))), '{suffixes}|[\s()（）.,，]', '', 'g'), '') as company,
    nullif(regexp_replace(trim(coalesce(联系人, '')), '\s|经理|总$|先生|女士', '', 'g'), '') as contact,
    nullif(right(regexp_replace(coalesce(手机, ''), '[^0-9]', '', 'g'), 11), '') as mobile,
    nullif(right(regexp_replace(coalesce(电话, ''), '[^0-9]', '', 'g'), 8), '') as landline,
    nullif(lower(trim(coalesce(邮箱, ''))), '') as email,
    nullif(lower(trim(coalesce(微信, ''))), '') as wechat,
    nullif(regexp_replace(trim(coalesce(城市, '')), '市$', ''), '') as city,
    nullif(trim(coalesce(地址, '')), '') as address,
    nullif(upper(trim(coalesce(统一社会信用代码, ''))), '') as credit_code
from read_csv('{path}', header = true, all_varchar = true)
"""

# What users type for "unknown", as Kehu treats them.
PLACEHOLDERS = ["无", "-", "--", "不详", "暂无", "未知", "n/a", "N/A", "null", "/"]


def clean(con, path):
    suffixes = "|".join(s.replace(".", r"\.") for s in SUFFIXES)
    company = "case when trim(公司名称) in ({}) then null else 公司名称 end".format(
        ", ".join("'" + p + "'" for p in PLACEHOLDERS)
    )
    con.execute(CLEAN.format(company=company, suffixes=suffixes, path=path))
    # The leading region (苏州, 苏州市) is the city column again; without it the start of the
    # name is the brand, which is what blocking on a name prefix needs.
    con.execute(
        "update records set company = nullif(replace(replace(company, city, ''), '市', ''), '') "
        "where city is not null"
    )
    for column in ["contact", "mobile", "landline", "email", "wechat", "city", "address", "credit_code"]:
        con.execute(
            f"update records set {column} = null "
            f"where upper({column}) in ({', '.join(repr(p.upper()) for p in PLACEHOLDERS)})"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", help="CSV from kehu dedupe --generate")
    parser.add_argument("output", help="where to write record_id,cluster_id")
    parser.add_argument("--threshold", type=float, default=0.5, help="cluster at this match probability")
    parser.add_argument("--model", help="also save the trained model (JSON) here")
    args = parser.parse_args()

    started = time.perf_counter()
    con = duckdb.connect()
    clean(con, args.input)
    db_api = DuckDBAPI(connection=con)
    records = db_api.register("records", dataset_display_name="records")
    linker = Linker(records, SETTINGS, log_level=logging.WARNING)

    linker.training.estimate_probability_two_random_records_match(
        [block_on("mobile"), block_on("credit_code"), block_on("email")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    for rule in [block_on("mobile"), block_on("city", "substr(company, 1, 4)")]:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    trained = time.perf_counter()
    if args.model:
        linker.misc.save_model_to_json(args.model, overwrite=True)

    pairs = linker.inference.predict(threshold_match_probability=0.1)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pairs, threshold_match_probability=args.threshold
    )
    con.execute(
        f"copy (select record_id, cluster_id from {clusters.physical_name} order by record_id) "
        f"to '{args.output}' (header, delimiter ',')"
    )
    done = time.perf_counter()
    print(
        f"splink {args.input}: trained in {trained - started:.1f} s, "
        f"predicted and clustered in {done - trained:.1f} s, {done - started:.1f} s in all"
    )


if __name__ == "__main__":
    main()
