"""The Splink model for Kehu's generated records: blocking rules and comparisons.

Blocking mirrors what makes sense for this data (any exact key, or the start of the
company name within a city, or a contact within a city); comparisons give each field
the levels Splink's documentation recommends for its kind.
"""

import splink.comparison_library as cl
from splink import SettingsCreator, block_on

SETTINGS = SettingsCreator(
    link_type="dedupe_only",
    unique_id_column_name="record_id",
    blocking_rules_to_generate_predictions=[
        block_on("mobile"),
        block_on("landline"),
        block_on("email"),
        block_on("wechat"),
        block_on("credit_code"),
        block_on("city", "substr(company, 1, 4)"),
        block_on("city", "contact"),
    ],
    comparisons=[
        cl.JaroWinklerAtThresholds("company", [0.95, 0.88, 0.8]),
        cl.ExactMatch("contact").configure(term_frequency_adjustments=True),
        cl.ExactMatch("mobile"),
        cl.ExactMatch("landline"),
        cl.EmailComparison("email"),
        cl.ExactMatch("wechat"),
        cl.ExactMatch("city"),
        cl.JaroWinklerAtThresholds("address", [0.9]),
        cl.ExactMatch("credit_code"),
    ],
    retain_intermediate_calculation_columns=False,
)
