/**
 * Key material for real servers and clients (issue 14). {@link io.redoubt.runtime.keys.KeyGen}
 * runs once, offline, and writes everything a topology needs; {@link io.redoubt.runtime.keys.KeyFiles}
 * describes the layout and loads one server's or one client's part of it. A loaded server holds
 * everyone's public keys and only its own secrets (Lane 2008, section 4.2); the simulator keeps
 * deriving every key from its seed ({@link io.redoubt.lm.crypto.KeyDirectory#derived}).
 */
package io.redoubt.runtime.keys;
