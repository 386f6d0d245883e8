package dev.tiercache.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback in front of a Redis server, for injecting network failures by real means:
 * {@link #cut()} drops every connection and refuses new ones (the server keeps its data), and
 * {@link #restore()} accepts again. With {@link #blackHole()}, it accepts connections but never
 * answers, as an unreachable host whose packets are dropped would look to a client that already
 * completed its TCP handshake.
 */
public final class TcpProxy implements AutoCloseable {

	private final int targetPort;

	private final ServerSocket server;

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private volatile boolean open = true;

	private volatile boolean forwarding = true;

	private final Thread acceptor;

	private TcpProxy(int targetPort, boolean forwarding) throws IOException {
		this.targetPort = targetPort;
		this.forwarding = forwarding;
		this.server = new ServerSocket();
		this.server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
		this.acceptor = new Thread(this::accept, "tcp-proxy-" + this.server.getLocalPort());
		this.acceptor.setDaemon(true);
		this.acceptor.start();
	}

	/** A proxy forwarding to a server on loopback. */
	public static TcpProxy to(int targetPort) throws IOException {
		return new TcpProxy(targetPort, true);
	}

	/** A server that accepts connections and never answers. */
	public static TcpProxy blackHole() throws IOException {
		return new TcpProxy(0, false);
	}

	public int port() {
		return this.server.getLocalPort();
	}

	/** Drops every connection and refuses new ones until {@link #restore()}. */
	public void cut() {
		this.open = false;
		closeAll();
	}

	public void restore() {
		this.open = true;
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket client = this.server.accept();
				if (!this.open) {
					client.close();
					continue;
				}
				this.sockets.add(client);
				if (this.forwarding) {
					Socket upstream = new Socket(InetAddress.getLoopbackAddress(), this.targetPort);
					this.sockets.add(upstream);
					pump(client, upstream);
					pump(upstream, client);
				}
			}
			catch (IOException ex) {
				// closed, or a connection that failed: keep serving the others
			}
		}
	}

	private void pump(Socket from, Socket to) {
		Thread thread = new Thread(() -> {
			byte[] buffer = new byte[8192];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while ((read = in.read(buffer)) >= 0) {
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException ex) {
				// a side closed
			}
			finally {
				close(from);
				close(to);
			}
		}, "tcp-proxy-pump");
		thread.setDaemon(true);
		thread.start();
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

	@Override
	public void close() throws IOException {
		this.open = false;
		this.server.close();
		closeAll();
	}

}
