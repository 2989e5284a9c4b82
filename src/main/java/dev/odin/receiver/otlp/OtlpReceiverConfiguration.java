package dev.odin.receiver.otlp;

import dev.odin.admission.AdmissionControl;
import dev.odin.auth.TokenAuthenticator;
import dev.odin.config.OdinProperties;
import dev.odin.otlp.ExportResponses;
import dev.odin.otlp.OtlpHttpResponder;
import dev.odin.otlp.OtlpJson;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OTLP receiver: its guard, the {@code otlp-grpc} component and the receiver routes' steps. */
@Configuration(proxyBeanMethods = false)
public class OtlpReceiverConfiguration {

    @Bean
    public OtlpGuard otlpGuard(ObjectProvider<TokenAuthenticator> tokens, AdmissionControl admission,
            OdinProperties props) {
        OdinProperties.Otlp otlp = props.getOtlp();
        return new OtlpGuard(tokens.getIfAvailable(), admission, new OtlpGuard.Limits(otlp.getMaxRequestSize().toBytes(),
                otlp.getMaxDecompressedSize().toBytes(), otlp.getGrpc().getMaxMessageSize().toBytes()));
    }

    @Bean
    public GrpcAnswers grpcAnswers(ExportResponses responses) {
        return new GrpcAnswers(responses);
    }

    @Bean
    public OtlpGrpcServices otlpGrpcServices(OtlpGuard guard, GrpcAnswers answers) {
        return new OtlpGrpcServices(guard, answers);
    }

    /** Camel finds the component by its bean name: {@code from: otlp-grpc:metrics}. */
    @Bean(OtlpGrpcComponent.SCHEME)
    public OtlpGrpcComponent otlpGrpcComponent(OtlpGrpcServices services, ExportResponses responses) {
        return new OtlpGrpcComponent(services, responses);
    }

    /** Route steps: {@code - bean: {ref: otlpReceiver, method: respond}}. */
    @Bean
    public OtlpReceiverSteps otlpReceiver(OtlpGuard guard, OtlpJson json, OtlpHttpResponder responder,
            ExportResponses responses, GrpcAnswers answers) {
        return new OtlpReceiverSteps(guard, json, responder, responses, answers);
    }
}
