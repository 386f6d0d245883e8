package dev.tiercache.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.github.luben.zstd.Zstd;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The two candidates for compressing large values, on typical JSON of 1, 10 and 100 kB
 * ({@link CatalogJson}): LZ4 (lz4-java, its fastest compressor and its safe decompressor) and zstd
 * (zstd-jni, levels 1 and 3). Measures one compression and one decompression; the bytes each stores are
 * in {@link #samples()}. The choice it informed is in the README.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class CompressionBenchmark {

	private static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();

	@Param({ "1", "10", "100" })
	public int kilobytes;

	@Param({ "lz4", "zstd-1", "zstd-3" })
	public String codec;

	private byte[] json;

	private byte[] compressed;

	private final LZ4Compressor lz4Compressor = LZ4.fastCompressor();

	private final LZ4SafeDecompressor lz4Decompressor = LZ4.safeDecompressor();

	@Setup
	public void prepare() {
		this.json = CatalogJson.ofAtLeast(this.kilobytes * 1024);
		this.compressed = compress();
	}

	@Benchmark
	public byte[] compress() {
		return switch (this.codec) {
			case "lz4" -> this.lz4Compressor.compress(this.json);
			case "zstd-1" -> Zstd.compress(this.json, 1);
			case "zstd-3" -> Zstd.compress(this.json, 3);
			default -> throw new IllegalStateException(this.codec);
		};
	}

	@Benchmark
	public byte[] decompress() {
		return this.codec.equals("lz4") ? this.lz4Decompressor.decompress(this.compressed, this.json.length)
				: Zstd.decompress(this.compressed, this.json.length);
	}

	/** What each candidate stores for the JSON of one size. */
	record Sample(int kilobytes, int jsonBytes, Map<String, Integer> compressed) {
	}

	/** The bytes each candidate stores for the JSON of each size. */
	static List<Sample> samples() {
		List<Sample> samples = new ArrayList<>();
		for (int kilobytes : new int[] { 1, 10, 100 }) {
			byte[] json = CatalogJson.ofAtLeast(kilobytes * 1024);
			Map<String, Integer> compressed = new LinkedHashMap<>();
			compressed.put("lz4", LZ4.fastCompressor().compress(json).length);
			compressed.put("zstd-1", Zstd.compress(json, 1).length);
			compressed.put("zstd-3", Zstd.compress(json, 3).length);
			samples.add(new Sample(kilobytes, json.length, compressed));
		}
		return samples;
	}

}
