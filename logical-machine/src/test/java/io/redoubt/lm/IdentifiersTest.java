package io.redoubt.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class IdentifiersTest {

    @Test
    void negativeValuesAndNullSitesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SiteId.of(-1));
        assertThrows(IllegalArgumentException.class, () -> ServerId.of(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> ServerId.of(0, -1));
        assertThrows(IllegalArgumentException.class, () -> new ServerId(null, 0));
        assertThrows(IllegalArgumentException.class, () -> ClientId.of(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> ClientId.of(0, -1));
        assertThrows(IllegalArgumentException.class, () -> new ClientId(null, 0));
    }

    @Test
    void zeroAndMaxValuesAreAccepted() {
        assertEquals(0, SiteId.of(0).value());
        assertEquals(Integer.MAX_VALUE, ServerId.of(Integer.MAX_VALUE, Integer.MAX_VALUE).index());
        assertEquals(Integer.MAX_VALUE, ClientId.of(0, Integer.MAX_VALUE).index());
    }

    @Test
    void serversOrderBySiteThenIndex() {
        List<ServerId> sorted = List.copyOf(new TreeSet<>(List.of(
                ServerId.of(2, 0), ServerId.of(1, 5), ServerId.of(1, 0), ServerId.of(0, 9))));
        assertEquals(List.of(ServerId.of(0, 9), ServerId.of(1, 0), ServerId.of(1, 5), ServerId.of(2, 0)), sorted);
    }

    @Test
    void clientsOrderBySiteThenIndex() {
        assertTrue(ClientId.of(0, 100).compareTo(ClientId.of(1, 0)) < 0);
        assertTrue(ClientId.of(1, 1).compareTo(ClientId.of(1, 0)) > 0);
        assertEquals(0, ClientId.of(3, 4).compareTo(ClientId.of(3, 4)));
    }

    @Test
    void toStringsDistinguishPrincipals() {
        assertEquals("site3", SiteId.of(3).toString());
        assertEquals("1.23", ServerId.of(1, 23).toString());
        assertEquals("c1.23", ClientId.of(1, 23).toString());
        assertNotEquals(ServerId.of(1, 23).toString(), ServerId.of(12, 3).toString());
    }

    @Test
    void serversAndClientsParseFromSiteDotIndexAndNothingElse() {
        assertEquals(ServerId.of(1, 2), ServerId.parse("1.2"));
        assertEquals(ClientId.of(0, 7), ClientId.parse("0.7"));
        assertEquals(ServerId.of(3, 0), ServerId.parse(ServerId.of(3, 0).toString()), "toString round-trips");
        for (String bad : List.of("", "1", "1.", ".2", "a.b", "-1.2", "1.-2", "1.2.3")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerId.parse(bad), bad);
            assertTrue(e.getMessage().contains("SITE.INDEX"), e.getMessage());
        }
    }
}
