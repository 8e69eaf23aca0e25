/**
 * The real runtime (issue 14): each server a Pekko typed actor system that only delivers inputs to
 * its {@code ServerNode} and performs its outputs, sites as Pekko clusters (discovery and
 * operations, never trusted for safety), Artery over mutual TLS, durable storage of what the cores
 * persist, key material, and a WAN emulated inside the transport. Servers are built by the same
 * {@code ServerAssembly} the simulator uses.
 */
package io.redoubt.runtime;
