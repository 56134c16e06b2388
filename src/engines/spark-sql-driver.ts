/**
 * Python source of `plain(v)`: a value Spark SQL answers, as JSON can hold it (dates and times in
 * ISO 8601, decimals as strings so no digit is lost, binary as hex). One definition for the job's
 * driver below and the interop tests' Spark session (test/support/spark-driver.py imports it as
 * the module quarry_spark_values), so both report values the same way.
 */
export const SPARK_PLAIN_VALUE = `import datetime, decimal


def plain(v):
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, (bytes, bytearray)):
        return v.hex()
    return v
`;

/**
 * The PySpark program a `sql` job on Spark submits: runs the one statement in the file named by its
 * second argument and writes its columns and rows as JSON to the file named by its first. Kept as
 * text so the package needs no Python file beside it; the job writes it into its own folder.
 */
export const SPARK_SQL_DRIVER = `import json, sys
from pyspark.sql import SparkSession
${SPARK_PLAIN_VALUE}

spark = SparkSession.builder.appName('quarry-sql').getOrCreate()
spark.sparkContext.setLogLevel('WARN')
sql = open(sys.argv[2], encoding='utf-8').read()
frame = spark.sql(sql)
columns = [{'name': f.name, 'type': f.dataType.simpleString()} for f in frame.schema.fields]
rows = [[plain(v) for v in row] for row in frame.collect()]
with open(sys.argv[1], 'w', encoding='utf-8') as out:
    json.dump({'columns': columns, 'rows': rows}, out)
spark.stop()
`;
