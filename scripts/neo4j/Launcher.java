// Runs an embedded Neo4j Community DBMS as a small local server that speaks Bolt on
// loopback. Used by scripts/neo4j-server; not meant to be run by hand, but it can be:
//
//   GRAPHMEM_NEO4J_PASSWORD=secret-pw java -cp "$(cat cp.txt)" Launcher.java HOME PORT
//
// Arguments:  HOME  folder for databases, transaction logs and Neo4j's own logs
//             PORT  Bolt port, bound on 127.0.0.1 only
// Environment:
//   GRAPHMEM_NEO4J_PASSWORD   password for the "neo4j" user (required, at least 8
//                             characters; read from the environment so that it
//                             never shows up in the process list)
//   GRAPHMEM_NEO4J_PAGECACHE  page cache size, e.g. 64m or 1g (default 128m)
//
// Output: "PID <n>" once the JVM is up, then "READY bolt://127.0.0.1:<port>" once the
// default database is available and the password is set. On any startup failure it
// prints "FAILED: <reason>" to stderr and exits with status 1. SIGTERM / SIGINT shut
// the DBMS down cleanly (prints "STOPPED").

import java.nio.file.Path;
import java.util.Map;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.SettingValueParsers;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;

public final class Launcher {
    private static final String HOST = "127.0.0.1";
    private static final int MIN_PASSWORD_LENGTH = 8;
    private static final long AVAILABILITY_TIMEOUT_MS = 120_000;

    private static volatile DatabaseManagementService started;

    private Launcher() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            t.printStackTrace();
            DatabaseManagementService dbms = started;
            if (dbms != null) {
                try {
                    dbms.shutdown();
                } catch (Throwable ignored) {
                    // already failing; report the original problem
                }
            }
            fail(describe(t));
        }
    }

    private static void run(String[] args) throws InterruptedException {
        if (args.length != 2) {
            fail("usage: Launcher HOME PORT (password in $GRAPHMEM_NEO4J_PASSWORD)");
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = parsePort(args[1]);
        String password = System.getenv("GRAPHMEM_NEO4J_PASSWORD");
        if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
            fail("GRAPHMEM_NEO4J_PASSWORD must be set to at least " + MIN_PASSWORD_LENGTH + " characters");
        }
        String pageCacheText = System.getenv().getOrDefault("GRAPHMEM_NEO4J_PAGECACHE", "128m");
        long pageCache;
        try {
            pageCache = SettingValueParsers.BYTES.parse(pageCacheText);
        } catch (RuntimeException e) {
            fail("bad GRAPHMEM_NEO4J_PAGECACHE '" + pageCacheText + "': " + e.getMessage());
            return;
        }

        System.out.println("PID " + ProcessHandle.current().pid());
        System.out.println("starting Neo4j in " + home + " (bolt on " + HOST + ":" + port + ")");
        System.out.flush();

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                // a throw-away test server: no need to reserve disk for log files up front
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .build();
        started = dbms;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dbms.shutdown();
            System.out.println("STOPPED");
            System.out.flush();
        }, "neo4j-shutdown"));

        GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        if (!db.isAvailable(AVAILABILITY_TIMEOUT_MS)) {
            throw new IllegalStateException("database '" + GraphDatabaseSettings.DEFAULT_DATABASE_NAME
                    + "' did not become available within " + AVAILABILITY_TIMEOUT_MS / 1000 + " s");
        }
        setPassword(dbms, password);

        System.out.println("READY bolt://" + HOST + ":" + port);
        System.out.flush();
        Thread.currentThread().join(); // serve until a signal arrives; the hook shuts down
    }

    /** Makes the password in the environment the current one, whatever it was before. */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        try {
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        } catch (RuntimeException e) {
            // On a restart the stored password usually equals the requested one already,
            // which Neo4j refuses to "change"; that is the state we want anyway.
            if (!String.valueOf(describe(e)).contains("cannot be the same")) {
                throw e;
            }
        }
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        fail("PORT must be an integer in 1..65535, got '" + text + "'");
        return -1;
    }

    /** The message of the innermost cause, which is usually the informative one. */
    private static String describe(Throwable t) {
        Throwable root = t;
        StringBuilder chain = new StringBuilder(String.valueOf(t.getMessage()));
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
            chain.append(" <- ").append(root.getMessage());
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage() + " (" + chain + ")";
    }

    private static void fail(String message) {
        System.out.flush();
        System.err.println("FAILED: " + message);
        System.err.flush();
        // halt, not exit: the shutdown hook must not run again, and a half-started DBMS
        // may have left threads behind that would keep the JVM alive
        Runtime.getRuntime().halt(1);
    }
}
