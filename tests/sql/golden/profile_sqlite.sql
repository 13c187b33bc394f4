-- aggregate, whole table
SELECT COUNT(*),
  COUNT("v0"),
  COUNT(DISTINCT "v0"),
  MIN("v0"),
  MAX("v0"),
  SUM("v0"),
  COUNT(*) FILTER (WHERE "v0" = 0),
  COUNT(*) FILTER (WHERE "v0" < 0),
  TOTAL("v0" * "v0"),
  COUNT("v1"),
  COUNT(*) FILTER (WHERE "v1" = 9e999),
  COUNT(*) FILTER (WHERE "v1" = -9e999),
  COUNT("x1"),
  MIN("x1"),
  MAX("x1"),
  SUM("x1"),
  COUNT(*) FILTER (WHERE "x1" = 0),
  COUNT(*) FILTER (WHERE "x1" < 0),
  TOTAL("x1" * "x1"),
  COUNT("v2"),
  COUNT(DISTINCT "v2"),
  MIN("l2"),
  MAX("l2"),
  SUM("l2"),
  COUNT(*) FILTER (WHERE "l2" = 0),
  COUNT(*) FILTER (WHERE "l2" > 0 AND TRIM("v2", ' ' || CHAR(9) || CHAR(10) || CHAR(13)) = ''),
  COUNT("v3"),
  MIN("v3"),
  MAX("v3"),
  COUNT(*) FILTER (WHERE "v3" > DATETIME('now')),
  COUNT("v4"),
  MIN("v4"),
  MAX("v4"),
  COUNT(*) FILTER (WHERE "v4" > DATE('now')),
  COUNT("v5"),
  COUNT(*) FILTER (WHERE "v5"),
  COUNT("v6")
FROM (SELECT "id" AS "v0", "sco`re" AS "v1", CASE WHEN "sco`re" = 9e999 OR "sco`re" = -9e999 THEN NULL ELSE "sco`re" END AS "x1", "we""ird name" AS "v2", LENGTH("we""ird name") AS "l2", "created" AS "v3", "born" AS "v4", "flag" AS "v5", "doc" AS "v6" FROM "sch"."tab; DROP") "r";

-- aggregate, 12.5 percent sample
SELECT COUNT(*),
  COUNT("v0"),
  COUNT(DISTINCT "v0"),
  MIN("v0"),
  MAX("v0"),
  SUM("v0"),
  COUNT(*) FILTER (WHERE "v0" = 0),
  COUNT(*) FILTER (WHERE "v0" < 0),
  TOTAL("v0" * "v0")
FROM (SELECT "id" AS "v0" FROM (SELECT * FROM "sch"."tab; DROP" WHERE (ABS(RANDOM()) % 1000000) < CAST(0.125 * 1000000 AS INTEGER)) "s") "r";

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
  TOTAL("v0" * "v0")
FROM (SELECT "id" AS "v0" FROM (SELECT * FROM "sch"."tab; DROP" WHERE (ABS(RANDOM()) % 1000000) < (SELECT CAST(1100 * 1000000.0 / MAX(COUNT(*), 1) AS INTEGER) FROM "sch"."tab; DROP") ORDER BY RANDOM() LIMIT 1000) "s") "r";

-- stream, 1000 of ~100000 rows
SELECT "id", "we""ird name" FROM "sch"."tab; DROP" WHERE (ABS(RANDOM()) % 1000000) < CAST(0.011000000000000001 * 1000000 AS INTEGER) ORDER BY RANDOM() LIMIT 1000;

-- stream, no estimate
SELECT "id" FROM "sch"."tab; DROP" WHERE (ABS(RANDOM()) % 1000000) < (SELECT CAST(1100 * 1000000.0 / MAX(COUNT(*), 1) AS INTEGER) FROM "sch"."tab; DROP") ORDER BY RANDOM() LIMIT 1000;
