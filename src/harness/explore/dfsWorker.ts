/** The entry of a split DFS's worker thread: piscina calls the default export once per subtree. */
export { exploreSubtree as default } from "./dfsSubtree.ts";
