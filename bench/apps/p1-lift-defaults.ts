/** P1 with Lift as a user deploys it: the same app with its default access log, EMF metrics and spans on. */
import { createLiftP1 } from './p1-lift.js';

/** The Lambda entry point. */
export const handler = createLiftP1(true);
