// One SolrCloud node in this JVM: Solr's embedded Jetty runner (solr-test-framework) on one port,
// joined to the ZooKeeper ensemble given.  `search-cli solr start` launches one JVM per node with
//   java -cp <cache>/lib/* solr/SolrNode.java SOLR_HOME PORT ZK_HOST
// (Java's single-file source launcher: nothing is compiled into the repository).  The node runs
// until its process is stopped; it prints "READY <port>" once Jetty and Solr are up.
import java.util.Properties;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

public class SolrNode {
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: SolrNode SOLR_HOME PORT ZK_HOST");
      System.exit(2);
    }
    String home = args[0];
    int port = Integer.parseInt(args[1]);
    Properties props = new Properties();
    props.setProperty("zkHost", args[2]);
    props.setProperty("hostPort", Integer.toString(port));
    props.setProperty("hostContext", "/solr");
    JettyConfig config = JettyConfig.builder().setPort(port).setContext("/solr").stopAtShutdown(true).build();
    JettySolrRunner runner = new JettySolrRunner(home, props, config);
    runner.start();
    System.out.println("READY " + runner.getLocalPort());
    System.out.flush();
    Thread.currentThread().join();
  }
}
