package io.redoubt.runtime;

import com.typesafe.config.ConfigValue;
import io.redoubt.compose.ConfigReader;
import io.redoubt.compose.Deployment;
import io.redoubt.compose.SettingsException;
import io.redoubt.lm.ServerId;
import io.redoubt.runtime.net.StreamTransport;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where each server listens, from {@code redoubt.topology}: by default every server on
 * {@code host} at {@code base-port} plus its position in server order (site by site), and any
 * server named under {@code addresses} ({@code "1.2" = "10.0.0.7:7100"}) where it says.
 */
public final class HostTopology {
    private HostTopology() {}

    public static Map<ServerId, StreamTransport.Address> read(ConfigReader r, Deployment d) {
        String host = r.string("topology.host");
        int basePort = r.atLeast("topology.base-port", 1);
        Map<ServerId, StreamTransport.Address> out = new TreeMap<>();
        int k = 0;
        for (ServerId id : d.servers()) out.put(id, new StreamTransport.Address(host, basePort + k++));
        if (r.config().hasPath("topology.addresses")) {
            for (Map.Entry<String, ConfigValue> e : r.config().getObject("topology.addresses").entrySet()) {
                String key = "topology.addresses.\"" + e.getKey() + "\"";
                ServerId id = parseServer(r, key, e.getKey());
                if (!out.containsKey(id)) throw r.invalid(key, e.getKey(), "no such server in this topology; servers are 0.0 .. " + d.servers().get(d.servers().size() - 1));
                out.put(id, parseAddress(r, key, String.valueOf(e.getValue().unwrapped())));
            }
        }
        return out;
    }

    /**
     * Fails, naming the setting, if {@code id} could not listen on {@code at} here: the port is taken
     * (another process, or this server already running), or the address is not this machine's.
     * Checked before anything starts, so a node fails at once instead of after loading its keys.
     */
    public static void checkCanListen(ConfigReader r, ServerId id, StreamTransport.Address at) {
        String where = "redoubt." + settingFor(r, id) + ": " + at.host() + ":" + at.port() + " for server " + id;
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // as a server's own bind: a restarted node's old connections in TIME_WAIT do not hold the port
            probe.bind(new InetSocketAddress(at.host(), at.port()));
        } catch (BindException e) {
            if (String.valueOf(e.getMessage()).contains("in use")) {
                throw new SettingsException(where + " is in use; stop what holds it (another node of this deployment?) or choose another port in "
                        + "redoubt." + settingFor(r, id));
            }
            throw new SettingsException(where + " cannot be bound on this machine (" + e.getMessage() + "); give this server an address of "
                    + "this machine in redoubt.topology.host or redoubt.topology.addresses, or run it where that address is");
        } catch (IOException | IllegalArgumentException e) {
            throw new SettingsException(where + " cannot be listened on (" + e.getMessage() + "); check redoubt.topology.host and addresses");
        }
    }

    /** As {@link #checkCanListen}, for {@code id}'s site cluster port (its protocol port + {@code redoubt.topology.cluster-port-offset}). */
    public static void checkCanListenForCluster(ConfigReader r, ServerId id, StreamTransport.Address at) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(at.host(), at.port()));
        } catch (IOException | IllegalArgumentException e) {
            throw new SettingsException("redoubt.topology.cluster-port-offset: " + at.host() + ":" + at.port() + ", the site cluster port of server " + id
                    + ", cannot be listened on (" + e.getMessage() + "); choose another offset, or set redoubt.host.site-cluster = off");
        }
    }

    /** The key that places {@code id}: its entry under addresses if it has one, else the base port. */
    static String settingFor(ConfigReader r, ServerId id) {
        if (r.config().hasPath("topology.addresses")) {
            for (String name : r.config().getObject("topology.addresses").keySet()) {
                String key = "topology.addresses.\"" + name + "\"";
                if (parseServer(r, key, name).equals(id)) return key;
            }
        }
        return "topology.base-port";
    }

    static ServerId parseServer(ConfigReader r, String key, String s) {
        try {
            return ServerId.parse(s);
        } catch (IllegalArgumentException e) {
            throw r.invalid(key, s, "name a server as SITE.INDEX, e.g. \"1.2\"");
        }
    }

    private static StreamTransport.Address parseAddress(ConfigReader r, String key, String s) {
        int colon = s.lastIndexOf(':');
        try {
            if (colon > 0) {
                int port = Integer.parseInt(s.substring(colon + 1));
                if (port > 0 && port < 65536) return new StreamTransport.Address(s.substring(0, colon), port);
            }
        } catch (NumberFormatException ignored) {
            // reported below with the fix
        }
        throw r.invalid(key, s, "write HOST:PORT with a port in 1..65535, e.g. \"10.0.0.7:7100\"");
    }

}
