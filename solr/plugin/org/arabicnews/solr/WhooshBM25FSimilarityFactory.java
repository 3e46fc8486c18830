package org.arabicnews.solr;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.lucene.index.FieldInvertState;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.TermStatistics;
import org.apache.lucene.search.similarities.Similarity;
import org.apache.solr.common.params.SolrParams;
import org.apache.solr.schema.SimilarityFactory;

/**
 * The ranking of the project's Whoosh backend (search/matches.py: Whoosh's BM25F), as a Lucene
 * similarity, so that a SolrCloud collection ranks an article exactly where the Whoosh index
 * does.  Lucene's own BM25 differs in three ways that reorder hits: its idf is
 * log(1 + (N - n + 0.5) / (n + 0.5)) where Whoosh's is log(N / (n + 1)) + 1; a field's boost
 * multiplies the term frequency inside BM25's saturation in Whoosh (tf x boost), not the score;
 * and field lengths are quantized to one byte by another table.  Here:
 *
 *   score = queryBoost * idf * (w * (k1 + 1)) / (w + k1 * ((1 - b) + b * length / avgLength))
 *   w = freq * fieldBoost,  idf = sum over terms of (ln(maxDoc / (docFreq + 1)) + 1),
 *   avgLength = sumTotalTermFreq / maxDoc,
 *
 * with the length stored as Whoosh's byte (whoosh.util.numeric.length_to_byte), plus one so
 * that no stored norm is 0.  Configured in schema.xml:
 *   <similarity class="org.arabicnews.solr.WhooshBM25FSimilarityFactory">
 *     <float name="k1">1.2</float><float name="b">0.75</float>
 *     <float name="boost.title">4.0</float> ... (one per text field)
 *   </similarity>
 * With ExactStatsCache (solrconfig.xml) maxDoc, docFreq and sumTotalTermFreq are the whole
 * collection's, so every shard scores as one index would.
 */
public class WhooshBM25FSimilarityFactory extends SimilarityFactory {
  private float k1 = 1.2f;
  private float b = 0.75f;
  private final Map<String, Float> fieldBoosts = new HashMap<>();

  @Override
  public void init(SolrParams params) {
    super.init(params);
    k1 = params.getFloat("k1", 1.2f);
    b = params.getFloat("b", 0.75f);
    Iterator<String> names = params.getParameterNamesIterator();
    while (names.hasNext()) {
      String name = names.next();
      if (name.startsWith("boost.")) {
        fieldBoosts.put(name.substring("boost.".length()), params.getFloat(name));
      }
    }
  }

  @Override
  public Similarity getSimilarity() {
    return new WhooshBM25F(k1, b, new HashMap<>(fieldBoosts));
  }

  /** The similarity itself. */
  public static final class WhooshBM25F extends Similarity {
    /** Whoosh's length of each length byte: round((1.033^n - 1) * 27), as Python rounds. */
    static final int[] BYTE_TO_LENGTH = new int[256];

    static {
      for (int n = 0; n < 256; n++) {
        BYTE_TO_LENGTH[n] = (int) Math.rint((Math.pow(1.033, n) - 1) * 27);
      }
    }

    private final float k1;
    private final float b;
    private final Map<String, Float> fieldBoosts;

    WhooshBM25F(float k1, float b, Map<String, Float> fieldBoosts) {
      super(false);  // every token counts toward the length, as in Whoosh
      this.k1 = k1;
      this.b = b;
      this.fieldBoosts = fieldBoosts;
    }

    /** whoosh.util.numeric.length_to_byte: the first byte whose length is not below it. */
    static int lengthToByte(int length) {
      if (length >= BYTE_TO_LENGTH[255]) {
        return 255;
      }
      int low = 0;
      int high = 255;
      while (low < high) {
        int mid = (low + high) >>> 1;
        if (BYTE_TO_LENGTH[mid] < length) {
          low = mid + 1;
        } else {
          high = mid;
        }
      }
      return low;
    }

    @Override
    public long computeNorm(FieldInvertState state) {
      return lengthToByte(state.getLength()) + 1L;
    }

    @Override
    public SimScorer scorer(float boost, CollectionStatistics collection, TermStatistics... terms) {
      double maxDoc = Math.max(1L, collection.maxDoc());
      double idf = 0;
      for (TermStatistics term : terms) {
        idf += Math.log(maxDoc / (term.docFreq() + 1)) + 1;
      }
      double avgLength = collection.sumTotalTermFreq() / maxDoc;
      if (avgLength <= 0) {
        avgLength = 1;
      }
      float fieldBoost = fieldBoosts.getOrDefault(collection.field(), 1f);
      double[] norms = new double[257];
      for (int n = 1; n <= 256; n++) {
        int length = BYTE_TO_LENGTH[n - 1];
        norms[n] = length == 0 ? 0 : k1 * ((1 - b) + b * length / avgLength);
      }
      final double weight = boost * idf;
      final double saturation = k1 + 1;
      return new SimScorer() {
        @Override
        public float score(float freq, long norm) {
          double w = freq * fieldBoost;
          double n = norm >= 1 && norm <= 256 ? norms[(int) norm] : 0;
          return (float) (weight * (w * saturation) / (w + n));
        }
      };
    }

    @Override
    public String toString() {
      return "WhooshBM25F(k1=" + k1 + ",b=" + b + "," + fieldBoosts + ")";
    }
  }
}
