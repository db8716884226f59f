-- Why a file of an import failed, as a kind (formats::ErrorKind's
-- snake_case name: not_this_format, truncated, monitoring_file, ...) beside
-- the message in `error`, so a page chooses its own words from the kind
-- instead of reading the message. NULL for failures of no known kind and
-- for rows written before this column.
ALTER TABLE import_files ADD COLUMN error_kind TEXT;
