package dev.tiercache.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

/**
 * A TCP proxy on loopback in front of a Redis server, for injecting network failures by real means.
 * <ul>
 * <li>{@link #cut()} drops every connection and refuses new ones (the server keeps its data);</li>
 * <li>{@link #blackHole()} keeps connections and accepts new ones but forwards nothing, as a host
 * whose packets are dropped looks to a client; what was sent meanwhile is delivered once
 * {@linkplain #restore() restored}, as TCP would retransmit it;</li>
 * <li>{@link #slow(Duration)} delays every byte by a latency in each direction (a delay line, so
 * throughput is not capped);</li>
 * <li>{@link #jitter(Duration)} delays each chunk the server sends by a random latency up to a bound,
 * drawn anew for every chunk, except on subscriber connections (whose client sent {@code SUBSCRIBE}),
 * which deliver at once: a reply may then come after a message the server published later, as when
 * replies queue on a busy shared connection (the bytes of one connection stay in order);</li>
 * <li>{@link #restore()} forwards at once again.</li>
 * </ul>
 * {@link #silentServer()} is a server that accepts connections and never answers.
 */
public final class TcpProxy implements AutoCloseable {

	private final int targetPort;

	private final ServerSocket server;

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private final boolean forwarding;

	private volatile boolean open = true;

	private final AtomicInteger refused = new AtomicInteger();

	private volatile boolean holding;

	private volatile long latencyNanos;

	private volatile long jitterNanos;

	private final AtomicInteger accepted = new AtomicInteger();

	private TcpProxy(int targetPort, boolean forwarding, ServerSocket server) throws IOException {
		this.targetPort = targetPort;
		this.forwarding = forwarding;
		this.server = server;
		this.server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
		daemon(this::accept, "tcp-proxy-" + this.server.getLocalPort());
	}

	/** A proxy forwarding to a server on loopback. */
	public static TcpProxy to(int targetPort) throws IOException {
		return new TcpProxy(targetPort, true, new ServerSocket());
	}

	/**
	 * A TLS-terminating proxy to a server on loopback: clients speak TLS to it, and it presents the
	 * certificate of {@code tls}'s key manager; it forwards the plain bytes.
	 */
	public static TcpProxy tls(int targetPort, SSLContext tls) throws IOException {
		return new TcpProxy(targetPort, true, tls.getServerSocketFactory().createServerSocket());
	}

	/** A server that accepts connections and never answers. */
	public static TcpProxy silentServer() throws IOException {
		return new TcpProxy(0, false, new ServerSocket());
	}

	public int port() {
		return this.server.getLocalPort();
	}

	/** How many connections were refused while {@linkplain #cut() cut}. */
	public int refusedConnections() {
		return this.refused.get();
	}

	/** Drops every connection and refuses new ones until {@link #restore()}. */
	public void cut() {
		this.open = false;
		closeAll();
	}

	/** Forwards nothing, in either direction, on old and new connections, until {@link #restore()}. */
	public void blackHole() {
		this.holding = true;
	}

	/** Delays every byte by {@code latency} in each direction until {@link #restore()}. */
	public void slow(Duration latency) {
		this.latencyNanos = latency.toNanos();
	}

	/**
	 * Delays each chunk the server sends, except on subscriber connections, by a random latency up to
	 * {@code bound}, until {@link #restore()}.
	 */
	public void jitter(Duration bound) {
		this.jitterNanos = bound.toNanos();
	}

	/** How many client connections the proxy has accepted (and not refused) since it opened. */
	public int connectionsAccepted() {
		return this.accepted.get();
	}

	/** Accepts and forwards at once again; what a black hole held is delivered now. */
	public synchronized void restore() {
		this.latencyNanos = 0;
		this.jitterNanos = 0;
		this.holding = false;
		this.open = true;
		notifyAll();
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				if (!this.open) {
					this.refused.incrementAndGet();
					client.close();
					continue;
				}
				this.sockets.add(client);
				this.accepted.incrementAndGet();
				if (this.forwarding) {
					forward(client);
				}
			}
			catch (IOException ex) {
				// closed, or a connection that failed: keep serving the others
			}
		}
	}

	/**
	 * Connects the client to the server; if the server refuses (it is restarting), closes the client, as
	 * a refused connection looks to it, rather than leaving it connected to nothing.
	 */
	private void forward(Socket client) {
		Socket upstream;
		try {
			upstream = new Socket(InetAddress.getLoopbackAddress(), this.targetPort);
		}
		catch (IOException ex) {
			this.sockets.remove(client);
			close(client);
			return;
		}
		this.sockets.add(upstream);
		Link link = new Link();
		pipe(client, upstream, link, false);
		pipe(upstream, client, link, true);
	}

	/** Reads from one side into a delay line that another thread writes to the other side. */
	private void pipe(Socket from, Socket to, Link link, boolean fromServer) {
		BlockingQueue<Chunk> line = new LinkedBlockingQueue<>();
		daemon(() -> {
			byte[] buffer = new byte[8192];
			try (InputStream in = from.getInputStream()) {
				int read;
				while ((read = in.read(buffer)) >= 0) {
					if (!fromServer) {
						link.sent(buffer, read);
					}
					long jitter = (fromServer && !link.subscriber) ? this.jitterNanos : 0;
					line.add(new Chunk(Arrays.copyOf(buffer, read), System.nanoTime() + delayNanos(jitter)));
				}
			}
			catch (IOException ex) {
				// a side closed
			}
			finally {
				line.add(Chunk.END);
			}
		}, "tcp-proxy-read");
		daemon(() -> {
			try (OutputStream out = to.getOutputStream()) {
				while (true) {
					Chunk chunk = line.take();
					if (chunk == Chunk.END) {
						return;
					}
					awaitDue(chunk.due());
					out.write(chunk.bytes());
					out.flush();
				}
			}
			catch (IOException ex) {
				// a side closed
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				close(from);
				close(to);
			}
		}, "tcp-proxy-write");
	}

	private long delayNanos(long jitter) {
		return this.latencyNanos + ((jitter > 0) ? ThreadLocalRandom.current().nextLong(jitter + 1) : 0);
	}

	/** Waits while the proxy holds traffic, and until the chunk is due (or the delay was lifted). */
	private synchronized void awaitDue(long due) throws InterruptedException {
		while (this.holding || ((this.latencyNanos > 0 || this.jitterNanos > 0) && due - System.nanoTime() > 0)) {
			long waitMillis = this.holding ? 0 : Math.max(1, (due - System.nanoTime()) / 1_000_000);
			wait(waitMillis);
		}
	}

	private void closeAll() {
		for (Socket socket : this.sockets) {
			close(socket);
		}
		this.sockets.clear();
	}

	private static void close(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

	private static void daemon(Runnable task, String name) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		thread.start();
	}

	@Override
	public void close() throws IOException {
		this.open = false;
		this.server.close();
		closeAll();
		restore();
	}

	/**
	 * What the proxy learned of one connection from the first bytes its client sent: whether it
	 * subscribes (a {@code SUBSCRIBE} command among them). Written by the thread that reads the client.
	 */
	private static final class Link {

		private static final byte[] SUBSCRIBE = "SUBSCRIBE".getBytes(StandardCharsets.US_ASCII);

		private static final int SNIFFED = 4096;

		volatile boolean subscriber;

		private int seen;

		void sent(byte[] buffer, int length) {
			if (this.subscriber || this.seen >= SNIFFED) {
				return;
			}
			this.seen += length;
			this.subscriber = contains(buffer, length, SUBSCRIBE);
		}

		/** Case-insensitive: clients may send commands in either case. */
		private static boolean contains(byte[] buffer, int length, byte[] word) {
			for (int start = 0; start + word.length <= length; start++) {
				int matched = 0;
				while (matched < word.length && (buffer[start + matched] & 0xDF) == word[matched]) {
					matched++;
				}
				if (matched == word.length) {
					return true;
				}
			}
			return false;
		}

	}

	private record Chunk(byte[] bytes, long due) {

		static final Chunk END = new Chunk(new byte[0], 0);

	}

}
