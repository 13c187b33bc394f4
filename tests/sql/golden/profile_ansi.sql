-- aggregate, whole table
SELECT COUNT(*),
  COUNT("v0"),
  COUNT(DISTINCT "v0"),
  MIN("v0"),
  MAX("v0"),
  SUM("v0"),
  SUM(CASE WHEN "v0" = 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN "v0" < 0 THEN 1 ELSE 0 END),
  STDDEV_SAMP("v0"),
  COUNT("v1"),
  MIN("v1"),
  MAX("v1"),
  SUM("v1"),
  SUM(CASE WHEN "v1" = 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN "v1" < 0 THEN 1 ELSE 0 END),
  STDDEV_SAMP("v1"),
  COUNT("v2"),
  COUNT(DISTINCT "v2"),
  MIN("l2"),
  MAX("l2"),
  SUM("l2"),
  SUM(CASE WHEN "l2" = 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN "l2" > 0 AND TRIM("v2") = '' THEN 1 ELSE 0 END),
  COUNT("v3"),
  MIN("v3"),
  MAX("v3"),
  SUM(CASE WHEN "v3" > CURRENT_TIMESTAMP THEN 1 ELSE 0 END),
  COUNT("v4"),
  MIN("v4"),
  MAX("v4"),
  SUM(CASE WHEN "v4" > CURRENT_DATE THEN 1 ELSE 0 END),
  COUNT("v5"),
  SUM(CASE WHEN "v5" THEN 1 ELSE 0 END),
  COUNT("v6")
FROM (SELECT "id" AS "v0", "sco`re" AS "v1", "we""ird name" AS "v2", CHAR_LENGTH("we""ird name") AS "l2", "created" AS "v3", "born" AS "v4", "flag" AS "v5", "doc" AS "v6" FROM "sch"."tab; DROP") "r";

-- aggregate, 12.5 percent sample
SELECT COUNT(*),
  COUNT("v0"),
  COUNT(DISTINCT "v0"),
  MIN("v0"),
  MAX("v0"),
  SUM("v0"),
  SUM(CASE WHEN "v0" = 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN "v0" < 0 THEN 1 ELSE 0 END),
  STDDEV_SAMP("v0")
FROM (SELECT "id" AS "v0" FROM "sch"."tab; DROP") "r";

-- aggregate, 1000 rows of a table without an estimate
SELECT COUNT(*),
  (SELECT COUNT(*) FROM "sch"."tab; DROP"),
  COUNT("v0"),
  COUNT(DISTINCT "v0"),
  MIN("v0"),
  MAX("v0"),
  SUM("v0"),
  SUM(CASE WHEN "v0" = 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN "v0" < 0 THEN 1 ELSE 0 END),
  STDDEV_SAMP("v0")
FROM (SELECT "id" AS "v0" FROM (SELECT * FROM "sch"."tab; DROP" LIMIT 1000) "s") "r";

-- stream, 1000 of ~100000 rows
SELECT "id", "we""ird name" FROM "sch"."tab; DROP" LIMIT 1000;

-- stream, no estimate
SELECT "id" FROM "sch"."tab; DROP" LIMIT 1000;
