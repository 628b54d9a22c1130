import { soundnessSuite } from "../../../support/dfsSoundness.ts";

soundnessSuite("upstream", 1500);
