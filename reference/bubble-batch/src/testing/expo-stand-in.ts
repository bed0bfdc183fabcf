/**
 * Lift's local Expo push stand-in (the one `lift dev` runs), for tests of the reminder processor
 * with the service's Expo client. Imported from the CLI's sources until `@lift/cli` exports it.
 */
export {
  type ExpoPushStandIn,
  SEND_PATH,
  startExpoPushStandIn,
} from '../../../../packages/cli/src/standins/expo/index.js';
