// A real Java Kafka consumer (kafka-clients, read_committed, CRCs checked) reading every record of a
// topic, for tests that check what Quarry's producer wrote is what the Java client reads.
// Run in source-file mode: java -cp "<kafka libs>/*" ReadTopic.java BOOTSTRAP TOPIC COUNT
// Prints one line per record: partition, offset, timestamp type, timestamp, key and value in base64
// ("-" for a null key), header count; tab-separated, in partition and offset order.
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class ReadTopic {
  public static void main(String[] args) {
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    props.put("isolation.level", "read_committed");
    props.put("check.crcs", "true");
    props.put("enable.auto.commit", "false");
    props.put("auto.offset.reset", "earliest");
    String topic = args[1];
    int count = Integer.parseInt(args[2]);
    List<String> lines = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.currentTimeMillis() + 120_000;
      while (lines.size() < count && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          String key = r.key() == null ? "-" : Base64.getEncoder().encodeToString(r.key());
          lines.add(r.partition() + "\t" + r.offset() + "\t" + r.timestampType() + "\t" + r.timestamp() + "\t" + key + "\t"
              + Base64.getEncoder().encodeToString(r.value()) + "\t" + r.headers().toArray().length);
        }
      }
    }
    lines.sort((a, b) -> {
      String[] x = a.split("\t"), y = b.split("\t");
      int byPartition = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
      return byPartition != 0 ? byPartition : Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
    });
    lines.forEach(System.out::println);
  }
}
