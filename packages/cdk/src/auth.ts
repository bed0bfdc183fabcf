import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  UserPool,
  type UserPoolClient,
  VerificationEmailStyle,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { DeclaredUserPool } from './declarations.js';
import type { StageSettings } from './stage.js';

/** The email a user pool sends with a code (`{####}` is replaced by the code). */
export interface CodeEmail {
  readonly subject: string;
  readonly body: string;
}

/** Options of {@link LiftUserPool}. */
export interface LiftUserPoolProps {
  readonly definition: DeclaredUserPool;
  readonly stage: StageSettings;
  /** The sign-up confirmation email (default a plain one naming the service). */
  readonly email?: CodeEmail;
  /** Token lifetimes (defaults: id and access 1 hour, refresh 30 days). */
  readonly tokens?: { readonly idAndAccess?: Duration; readonly refresh?: Duration };
}

/**
 * A user pool from its `defineUserPool` declaration: email is the username, sign-in by a code sent by
 * email (the app client allows only the choice-based `USER_AUTH` flow and refresh: no
 * `USER_PASSWORD_AUTH` or SRP flow), MFA off, a custom code email, and an app client with the declared
 * token lifetimes. Cognito insists that passwords stay an allowed first factor, so someone who calls
 * the public `SignUp` API with a password of their own can answer `USER_AUTH`'s password challenge;
 * Lift's `emailSignIn` never sets one. The pool id and client id are stack outputs for the frontend.
 */
export class LiftUserPool extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly definition: DeclaredUserPool;

  constructor(scope: Construct, id: string, props: LiftUserPoolProps) {
    super(scope, id);
    const { definition: d, stage } = props;
    this.definition = d;
    const email = props.email ?? {
      subject: `Your ${d.name} code`,
      body: 'Your sign-in code is {####}. It expires in a few minutes.',
    };
    this.userPool = new UserPool(this, 'Pool', {
      signInAliases: { email: true },
      autoVerify: { email: true },
      selfSignUpEnabled: true,
      featurePlan: FeaturePlan.ESSENTIALS,
      // Cognito requires password among the allowed first factors; the app client below offers no
      // password-only flow, and Lift's sign-up sets no password (see the class comment).
      signInPolicy: { allowedFirstAuthFactors: { password: true, emailOtp: true } },
      mfa: Mfa.OFF,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      userVerification: {
        emailStyle: VerificationEmailStyle.CODE,
        emailSubject: email.subject,
        emailBody: email.body,
      },
      standardAttributes: { email: { required: true, mutable: true } },
      deletionProtection: stage.production,
      removalPolicy: stage.removalPolicy,
    });
    const lifetime = props.tokens?.idAndAccess ?? Duration.hours(1);
    this.client = this.userPool.addClient('Client', {
      authFlows: { user: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      idTokenValidity: lifetime,
      accessTokenValidity: lifetime,
      refreshTokenValidity: props.tokens?.refresh ?? Duration.days(30),
      enableTokenRevocation: true,
    });
    const pool = Validations.of(this.userPool);
    pool.acknowledge({
      id: 'AwsSolutions-COG1',
      reason:
        'Users sign in with an emailed code; Cognito only keeps password as an allowed factor, and the app never sets one.',
    });
    pool.acknowledge({
      id: 'AwsSolutions-COG2',
      reason: 'The emailed code is the single factor the requirements ask for (MFA off).',
    });
    pool.acknowledge({
      id: 'AwsSolutions-COG3',
      reason: 'Threat protection is a Plus-plan feature; the Essentials plan is what email OTP needs.',
    });
    pool.acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'Plus-plan threat protection is billed per user; a service that wants it sets featurePlan on the pool (LiftUserPool.userPool).',
    });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.client.userPoolClientId });
  }

  /** The environment variables a function finds the pool and its client by. */
  get environment(): Record<string, string> {
    return {
      [this.definition.idFromEnv]: this.userPool.userPoolId,
      [this.definition.clientIdFromEnv]: this.client.userPoolClientId,
    };
  }
}
