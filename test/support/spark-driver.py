"""One local Spark session driven over stdin/stdout: each input line is a JSON request
{"sql": "..."}; each answer is one JSON line {"rows": [...]} or {"error": "..."}.
Catalogs come from the QUARRY_SPARK_CATALOGS environment variable (JSON: name -> {uri, token?})."""
import json, os, sys

from pyspark.sql import SparkSession
# Written beside this run by test/support/spark.ts from src/engines/spark-sql-driver.ts.
from quarry_spark_values import plain

catalogs = json.loads(os.environ['QUARRY_SPARK_CATALOGS'])
builder = (SparkSession.builder.master('local[2]').appName('quarry-interop-test')
           .config('spark.jars', os.environ['QUARRY_SPARK_JAR'])
           .config('spark.driver.host', '127.0.0.1').config('spark.driver.bindAddress', '127.0.0.1')
           .config('spark.ui.enabled', 'false').config('spark.sql.shuffle.partitions', '2')
           .config('spark.default.parallelism', '2')
           .config('spark.sql.session.timeZone', 'UTC')
           .config('spark.sql.extensions', 'org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions'))
for name, c in catalogs.items():
    prefix = f'spark.sql.catalog.{name}'
    builder = builder.config(prefix, 'org.apache.iceberg.spark.SparkCatalog').config(f'{prefix}.type', 'rest').config(f'{prefix}.uri', c['uri'])
    if c.get('token'):
        builder = builder.config(f'{prefix}.token', c['token'])
spark = builder.getOrCreate()
spark.sparkContext.setLogLevel('ERROR')


out = sys.stdout
out.write(json.dumps({'ready': spark.version}) + '\n')
out.flush()
for line in sys.stdin:
    request = json.loads(line)
    try:
        rows = [{k: plain(v) for k, v in r.asDict(recursive=True).items()} for r in spark.sql(request['sql']).collect()]
        answer = {'rows': rows}
    except Exception as error:  # the test reads the message; the session stays usable
        answer = {'error': str(error).split('\n\tat ')[0][:4000]}
    out.write(json.dumps(answer) + '\n')
    out.flush()
spark.stop()
