"""Error codes of the hotline app (raised as core.errors.DomainError subclasses; tests assert codes)."""

IMPORT_UNREADABLE = "hotline_import_unreadable"  # not a CSV/Excel file we can decode
IMPORT_FORMAT = "hotline_import_format"  # an extension we do not read
IMPORT_MISSING_COLUMNS = "hotline_import_missing_columns"  # a required column is absent
IMPORT_RUNNING = "hotline_import_running"  # the same file is being imported by a live process
IMPORT_NOT_FOUND = "hotline_import_not_found"  # the file does not exist
AREAS_MISSING = "hotline_areas_missing"  # the file has place columns, the database no areas (load_areas)
IMPORT_NOT_RERUNNABLE = "hotline_import_not_rerunnable"  # a remap asked of a running or unknown import
UNKNOWN_SOURCE = "hotline_unknown_source"  # no ImportSource of that name
BAD_MONTH = "hotline_bad_month"  # month is not YYYY-MM
BAD_DIMENSION = "hotline_bad_dimension"  # rates asked by an unknown dimension
NO_RULESET = "hotline_no_ruleset"  # no active rate rule set covers the month
EXCLUSION_REASON_REQUIRED = "hotline_exclusion_reason_required"
REPORT_MISSING = "hotline_report_missing"
OTHER_DISTRICT = "hotline_other_district"  # district staff asked for another district's breakdown
