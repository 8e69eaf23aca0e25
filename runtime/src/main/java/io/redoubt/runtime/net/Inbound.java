package io.redoubt.runtime.net;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;

/** Where a transport hands what arrives, tagged with the sender its connection authenticated. */
public interface Inbound {
    void fromServer(ServerId from, Bytes frame);

    void fromClient(ClientId from, Bytes frame);
}
