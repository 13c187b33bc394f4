-- aggregate, whole table
SELECT COUNT(*),
  COUNT("v0"),
  COUNT(DISTINCT "v0"),
  MIN("v0"),
  MAX("v0"),
  SUM("v0"),
  COUNT(*) FILTER (WHERE "v0" = 0),
  COUNT(*) FILTER (WHERE "v0" < 0),
  STDDEV_SAMP("v0"),
  QUANTILE_CONT("v0", [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]),
  COUNT("v1"),
  approx_count_distinct("v1"),
  COUNT(*) FILTER (WHERE "v1" = CAST('NaN' AS DOUBLE)),
  COUNT(*) FILTER (WHERE "v1" = CAST('Infinity' AS DOUBLE)),
  COUNT(*) FILTER (WHERE "v1" = CAST('-Infinity' AS DOUBLE)),
  COUNT("x1"),
  MIN("x1"),
  MAX("x1"),
  SUM("x1"),
  COUNT(*) FILTER (WHERE "x1" = 0),
  COUNT(*) FILTER (WHERE "x1" < 0),
  STDDEV_SAMP("x1"),
  COUNT("v2"),
  COUNT(DISTINCT "v2"),
  MIN("l2"),
  MAX("l2"),
  SUM("l2"),
  COUNT(*) FILTER (WHERE "l2" = 0),
  COUNT(*) FILTER (WHERE "l2" > 0 AND TRIM("v2", ' ' || CHR(9) || CHR(10) || CHR(13)) = ''),
  COUNT("v3"),
  MIN("v3"),
  MAX("v3"),
  COUNT(*) FILTER (WHERE "v3" > CURRENT_TIMESTAMP),
  COUNT("v4"),
  MIN("v4"),
  MAX("v4"),
  COUNT(*) FILTER (WHERE "v4" > CURRENT_DATE),
  COUNT("v5"),
  COUNT(*) FILTER (WHERE "v5"),
  COUNT("v6")
FROM (SELECT "id" AS "v0", "sco`re" AS "v1", CASE WHEN "sco`re" = CAST('NaN' AS DOUBLE) OR "sco`re" = CAST('Infinity' AS DOUBLE) OR "sco`re" = CAST('-Infinity' AS DOUBLE) THEN NULL ELSE "sco`re" END AS "x1", "we""ird name" AS "v2", LENGTH("we""ird name") AS "l2", "created" AS "v3", "born" AS "v4", "flag" AS "v5", "doc" AS "v6" FROM "sch"."tab; DROP") "r";

-- aggregate, 12.5 percent sample
SELECT COUNT(*),
  COUNT("v0"),
  COUNT(DISTINCT "v0"),
  MIN("v0"),
  MAX("v0"),
  SUM("v0"),
  COUNT(*) FILTER (WHERE "v0" = 0),
  COUNT(*) FILTER (WHERE "v0" < 0),
  STDDEV_SAMP("v0"),
  QUANTILE_CONT("v0", [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])
FROM (SELECT "id" AS "v0" FROM "sch"."tab; DROP" USING SAMPLE 12.5 PERCENT (bernoulli)) "r";

-- aggregate, 1000 rows of a table without an estimate
SELECT COUNT(*),
  (SELECT COUNT(*) FROM "sch"."tab; DROP"),
  COUNT("v0"),
  COUNT(DISTINCT "v0"),
  MIN("v0"),
  MAX("v0"),
  SUM("v0"),
  COUNT(*) FILTER (WHERE "v0" = 0),
  COUNT(*) FILTER (WHERE "v0" < 0),
  STDDEV_SAMP("v0"),
  QUANTILE_CONT("v0", [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])
FROM (SELECT "id" AS "v0" FROM "sch"."tab; DROP" USING SAMPLE 1000 ROWS) "r";

-- stream, 1000 of ~100000 rows
SELECT "id", "we""ird name" FROM "sch"."tab; DROP" USING SAMPLE 1000 ROWS;

-- stream, no estimate
SELECT "id" FROM "sch"."tab; DROP" USING SAMPLE 1000 ROWS;
