package dev.tiercache.consistency.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The nemesis's own connection to the run's Redis, straight to the server (not through a fault
 * proxy), for {@code CLIENT LIST}, {@code CLIENT KILL} and {@code CLIENT PAUSE}. One command per
 * connection; answers are returned as text.
 */
final class RedisAdmin {

	private final int port;

	RedisAdmin(int port) {
		this.port = port;
	}

	/** Kills the connections that receive invalidations (tracking or pub/sub); returns how many. */
	int killInvalidationConnections() {
		int killed = 0;
		for (String client : command("CLIENT", "LIST").split("\n")) {
			if (receivesInvalidations(client)) {
				String id = field(client, "id");
				command("CLIENT", "KILL", "ID", id);
				killed++;
			}
		}
		return killed;
	}

	/** Pauses every client's commands for {@code millis}. */
	void pause(long millis) {
		command("CLIENT", "PAUSE", Long.toString(millis), "ALL");
	}

	private static boolean receivesInvalidations(String client) {
		String flags = field(client, "flags");
		return flags.contains("t") || !"0".equals(field(client, "sub")) || !"0".equals(field(client, "psub"))
				|| !"0".equals(field(client, "ssub"));
	}

	private static String field(String client, String name) {
		for (String pair : client.split(" ")) {
			if (pair.startsWith(name + "=")) {
				return pair.substring(name.length() + 1);
			}
		}
		return "0";
	}

	String command(String... arguments) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 2000);
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			StringBuilder request = new StringBuilder("*" + arguments.length + "\r\n");
			for (String argument : arguments) {
				request.append('$').append(argument.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
					.append(argument).append("\r\n");
			}
			out.write(request.toString().getBytes(StandardCharsets.UTF_8));
			out.flush();
			return reply(socket.getInputStream());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Redis on port " + this.port + " did not answer " + String.join(" ", arguments), ex);
		}
	}

	private static String reply(InputStream in) throws IOException {
		String line = line(in);
		return switch (line.charAt(0)) {
			case '+', ':' -> line.substring(1);
			case '-' -> throw new IllegalStateException("Redis refused: " + line.substring(1));
			case '$', '=' -> bulk(in, Integer.parseInt(line.substring(1)));
			default -> throw new IllegalStateException("unexpected reply " + line);
		};
	}

	private static String bulk(InputStream in, int length) throws IOException {
		if (length < 0) {
			return "";
		}
		byte[] data = in.readNBytes(length + 2);
		return new String(data, 0, length, StandardCharsets.UTF_8);
	}

	private static String line(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int previous = -1;
		for (int c = in.read(); c != -1; c = in.read()) {
			if (previous == '\r' && c == '\n') {
				byte[] bytes = line.toByteArray();
				return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
			}
			line.write(c);
			previous = c;
		}
		throw new IOException("connection closed mid-reply");
	}

}
