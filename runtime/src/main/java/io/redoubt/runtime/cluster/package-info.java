/**
 * Each site's servers as one Pekko Cluster, for discovery and operations only: its membership
 * goes to status, metrics and logs, and never to the protocols ({@link io.redoubt.runtime.cluster.SiteCluster}).
 */
package io.redoubt.runtime.cluster;
